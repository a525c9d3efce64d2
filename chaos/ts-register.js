/* global require, module, process, __dirname */
/**
 * Transpile-only require hook for TypeScript sources, used when the chaos test (inside jest,
 * where nothing is built) starts the service as a child process:
 *   node -r ./chaos/ts-register.js src/main.ts
 * It compiles each .ts file with the project's tsconfig.json options (no type check: tsc does that).
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const configPath = path.join(__dirname, '..', 'tsconfig.json');
const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, path.dirname(configPath));
const compilerOptions = { ...parsed.options, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true, noEmit: false };

require.extensions['.ts'] = function compile(module, filename) {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) throw new Error(`ts-register: refusing to compile ${filename}`);
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

module.exports = { registered: true, pid: process.pid };
