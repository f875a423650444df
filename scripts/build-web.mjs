// Bundles each page of web/pages into dist/web/<page>.js (with Preact and the shared zod
// schemas) and copies web/static. Everything the browser loads comes from our server.
import { cp, mkdir, readdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'web')
const pages = (await readdir(join(root, 'web', 'pages'))).filter((f) => f.endsWith('.tsx'))

await rm(out, { recursive: true, force: true })
await mkdir(out, { recursive: true })
await build({
  entryPoints: pages.map((f) => join(root, 'web', 'pages', f)),
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: process.env.NODE_ENV !== 'development',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  logLevel: 'warning'
})
await cp(join(root, 'web', 'static'), out, { recursive: true })
console.log(`web: ${pages.length} pages built into ${out}`)
