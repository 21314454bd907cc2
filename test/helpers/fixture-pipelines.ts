// Pipeline pieces over test/fixtures/data, for pipelines checked as test/checker/case.narml
// (FILE): the diagnostic, quick fix and completion tests build their cases from these.
import { join } from 'node:path';
import { root } from './cli';

/** Where the pipelines are checked from: their paths are relative to test/checker. */
export const FILE = join(root, 'test', 'checker', 'case.narml');

export const IRIS = 'dataset iris from "../fixtures/data/iris.csv"';
export const PENGUINS = 'dataset penguins from "../fixtures/data/penguins.csv" { missing: ["", "NA", "."] }';
export const CARS = 'dataset cars from "../fixtures/data/cars.csv"';
export const IRIS_SPLIT = `${IRIS}\nsplit parts from iris { train: 80%, test: 20%, stratify: species, seed: 1 }`;
export const IRIS_MODEL = `${IRIS_SPLIT}\nmodel m from parts.train {\n  target: species\n  algorithm: logistic_regression\n}`;
export const CARS_MODEL = `${CARS}\ntransform t from cars {\n  drop Name, Year, Origin\n  drop_missing\n}\nsplit parts from t { train: 80%, test: 20% }\nmodel reg from parts.train {\n  target: Miles_per_Gallon\n  algorithm: linear_regression\n}`;
