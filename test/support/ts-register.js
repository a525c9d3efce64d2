/* global require */
/**
 * Lets a plain `node` child process run the TypeScript sources (jest's transformer only exists
 * inside jest): `node -r ./test/support/ts-register.js test/support/x.ts`. Transpile-only, like
 * the jest config; type checking is `npm run typecheck`'s job.
 */
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
