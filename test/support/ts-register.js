/* global require, process, __dirname */
/**
 * Lets a plain `node` child process run the TypeScript sources (jest's transformer only exists
 * inside jest): `node -r ./test/support/ts-register.js test/support/x.ts`. Transpile-only, like
 * the jest config; type checking is `npm run typecheck`'s job. Output is cached by content hash
 * under node_modules/.cache so repeated child processes start fast.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

// typescript is loaded only on a cache miss: it is the slowest part of starting a child.
const tsVersion = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
const compilerOptions = {
  module: 'commonjs',
  target: 'es2022',
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  inlineSourceMap: true,
};
const cacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'ts-register');
const salt = `${tsVersion}${JSON.stringify(compilerOptions)}`;

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(salt).update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const ts = require('typescript');
    const options = ts.convertCompilerOptionsFromJson(compilerOptions, '.').options;
    const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: filename });
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}`;
      fs.writeFileSync(tmp, outputText);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only tree just means no cache.
    }
    return outputText;
  }
}

require.extensions['.ts'] = (module, filename) => {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
