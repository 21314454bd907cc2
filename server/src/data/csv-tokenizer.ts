// A streaming CSV tokenizer: text chunks in, rows of fields out. Handles quoted fields with
// "" escapes, delimiters and newlines inside quotes, \r\n, \r and \n line ends, a leading BOM,
// and reports where each row started so errors can name the line.

export class CsvSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export interface CsvRowSink {
  /** `line` is the 1-based physical line where the row starts. Blank lines are skipped. */
  row(fields: string[], line: number): void;
}

export class CsvTokenizer {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** A quote was just closed; the next char must be a delimiter or a line end (or another quote). */
  private afterQuote = false;
  private line = 1;
  private rowLine = 1;
  private quoteLine = 0;
  private pendingCR = false;
  private started = false;
  private readonly delimiter: number;

  constructor(delimiter: string, private readonly sink: CsvRowSink) {
    if (delimiter.length !== 1) throw new CsvSyntaxError(`the delimiter must be one character, got ${JSON.stringify(delimiter)}`, 0);
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(chunk: string): void {
    let text = chunk;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const n = text.length;
    const delim = this.delimiter;
    let i = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (n > 0 && text.charCodeAt(0) === 10) i = 1;
    }
    let start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (this.inQuotes) {
        if (c === 34) {
          this.field += text.slice(start, i);
          if (i + 1 < n) {
            if (text.charCodeAt(i + 1) === 34) { this.field += '"'; i += 2; start = i; continue; }
            this.inQuotes = false;
            this.afterQuote = true;
            i++;
            start = i;
            continue;
          }
          // The quote is the chunk's last char: decide with the next chunk.
          this.inQuotes = false;
          this.afterQuote = true;
          this.quoteMaybeEscaped = true;
          i++;
          start = i;
          continue;
        }
        if (c === 10 || c === 13) {
          if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
          this.line++;
        }
        i++;
        continue;
      }
      if (this.quoteMaybeEscaped) {
        this.quoteMaybeEscaped = false;
        if (c === 34) {
          // "" split across chunks: an escaped quote, still inside the field.
          this.field += '"';
          this.inQuotes = true;
          this.afterQuote = false;
          i++;
          start = i;
          continue;
        }
      }
      if (c === delim) {
        this.fields.push(this.field + text.slice(start, i));
        this.field = '';
        this.afterQuote = false;
        i++;
        start = i;
        continue;
      }
      if (c === 10 || c === 13) {
        this.field += text.slice(start, i);
        this.endRow();
        this.line++;
        if (c === 13) {
          if (i + 1 < n) { if (text.charCodeAt(i + 1) === 10) i++; } else this.pendingCR = true;
        }
        i++;
        start = i;
        this.rowLine = this.line;
        continue;
      }
      if (this.afterQuote) {
        throw new CsvSyntaxError(`line ${this.line}: text after a closing quote; a quote inside a quoted field must be doubled ("")`, this.line);
      }
      if (c === 34 && i === start && this.field === '') {
        this.inQuotes = true;
        this.quoteLine = this.line;
        i++;
        start = i;
        continue;
      }
      i++;
    }
    this.field += text.slice(start, n);
  }

  private quoteMaybeEscaped = false;

  private endRow(): void {
    const fields = this.fields;
    fields.push(this.field);
    this.field = '';
    this.fields = [];
    this.afterQuote = false;
    if (fields.length === 1 && fields[0] === '') return;
    this.sink.row(fields, this.rowLine);
  }

  finish(): void {
    if (this.inQuotes) {
      throw new CsvSyntaxError(`line ${this.quoteLine}: a quoted field is never closed; add the closing double quote`, this.quoteLine);
    }
    if (this.field !== '' || this.fields.length > 0) this.endRow();
  }

  /** 1-based line the tokenizer has reached (for progress and errors). */
  get currentLine(): number {
    return this.line;
  }
}
