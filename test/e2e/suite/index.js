// Mocha suite that runs inside the real VS Code extension host (loaded through
// extensionTestsPath; also runnable by @vscode/test-electron where desktop VS Code exists).
// Plain JavaScript: the extension host loads it as is.
const path = require('node:path');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'tdd', timeout: 120000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'extension.suite.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host tests failed`)) : resolve()));
  });
};
