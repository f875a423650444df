// `npm start`: builds the server and the pages only when their sources changed since the last
// build, then runs the built server. The build's inputs are hashed (paths and contents, plus
// NODE_ENV, which decides minification) into dist/.build-inputs: a second start with nothing
// changed goes straight to `node dist/server/main.js`. Settings come from the environment and,
// for those it leaves unset, from a `.env` file beside package.json when there is one.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverRuntime } from './server-runtime.mjs'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const stamp = join(root, 'dist', '.build-inputs')
const main = join(root, 'dist', 'server', 'main.js')
// Node's own reader: a variable already in the environment wins over the file's.
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'))

const INPUT_DIRS = ['server', 'shared', 'db', 'web']
const INPUT_FILES = ['package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'web/tsconfig.json', 'scripts/build-web.mjs']

/** A hash of everything the build reads. */
function inputsHash () {
  const h = createHash('sha256')
  h.update(`NODE_ENV=${process.env.NODE_ENV ?? ''}\n`)
  const files = [...INPUT_FILES]
  for (const dir of INPUT_DIRS) {
    for (const f of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (f.isFile()) files.push(join(f.parentPath ?? f.path, f.name).slice(root.length + 1))
    }
  }
  for (const f of files.sort()) {
    const path = join(root, f)
    if (!existsSync(path)) continue
    h.update(`${f}\n`)
    h.update(readFileSync(path))
  }
  return h.digest('hex')
}

const want = inputsHash()
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : ''
if (want !== have || !existsSync(main)) {
  console.log(have === '' ? 'start: first build' : 'start: sources changed, building')
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
  writeFileSync(stamp, want + '\n')
} else {
  console.log('start: build is up to date')
}
// The server runs as a child, with its runtime settings (scripts/server-runtime.mjs); a signal
// sent to this process (a service manager's SIGTERM) is passed on, and the server's exit code
// becomes ours.
const runtime = serverRuntime()
const server = spawn(process.execPath, [...runtime.execArgv, main], { cwd: root, stdio: 'inherit', env: runtime.env })
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => { server.kill(signal) })
server.on('exit', (code, signal) => { process.exit(code ?? (signal === null ? 1 : 128)) })
