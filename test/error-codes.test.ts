// Issue 20: every refusal is one named code of shared/errors.ts, with its HTTP status and the
// French sentence the pages show. This file reads the sources: a code the server can send
// without its French, a French sentence two codes share, or a page that picks its message from
// the server's English text fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'
import { ERROR_CODES, ERRORS, errorStatus, frenchMessage, isErrorCode } from '../shared/errors.js'

const ROOT = join(import.meta.dirname, '..')

function sources (dir: string): Array<{ file: string, text: string }> {
  const out: Array<{ file: string, text: string }> = []
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue
    const path = join(entry.parentPath, entry.name)
    out.push({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') })
  }
  return out
}

const server = sources('server')
const web = sources('web')

/**
 * Every place the server names a code: AppError, the error plugin's `send`, the socket's
 * `liveError`, a Pro Santé Connect refusal (sent to /connexion as `?psc=<code>`), and an error
 * body written whole (`error: '…', code: '…'`; none is today, the drain's 503 throws an AppError).
 */
const SENDS = [/new AppError\(\s*'([A-Z_]+)'/g, /\bsend\(reply,\s*'([A-Z_]+)'/g, /\bliveError\(\s*'([A-Z_]+)'/g, /new PscRefusal\(\s*'([A-Z_]+)'/g, /\berror: '[^']*', code: '([A-Z_]+)'/g]

function sentByServer (): Map<string, string[]> {
  const sent = new Map<string, string[]>()
  for (const { file, text } of server) {
    for (const re of SENDS) {
      for (const m of text.matchAll(re)) sent.set(m[1]!, [...(sent.get(m[1]!) ?? []), file])
    }
  }
  return sent
}

t.test('every code the server sends has its status and a French sentence', async (t) => {
  const sent = sentByServer()
  t.ok(sent.size >= 20, `found the codes the server sends (${sent.size})`)
  for (const [code, files] of sent) {
    t.ok(isErrorCode(code), `${code} (${files.join(', ')}) is in shared/errors.ts`)
    if (!isErrorCode(code)) continue
    t.match(ERRORS[code].fr, /^\S.{9,}[.?!]$/, `${code} has a French sentence`)
  }
  for (const code of ERROR_CODES) t.ok(sent.has(code), `${code} is sent somewhere (no code without a refusal)`)
})

t.test('a code passed on rather than written (a variable, a condition) is one of those reviewed', async (t) => {
  // Each forwards a code some other line names: the import worker's refusal (season-import.ts).
  const reviewed = ['reply.refused.code']
  for (const { file, text } of server) {
    for (const m of text.matchAll(/new AppError\(\s*([^'\s)][^,]*),/g)) {
      t.ok(reviewed.includes(m[1]!.trim()), `${file}: new AppError(${m[1]!}, …) forwards a reviewed code`)
    }
  }
})

t.test('no two codes share a French sentence; the contract keeps its statuses', async (t) => {
  const byText = new Map<string, string>()
  for (const code of ERROR_CODES) {
    const other = byText.get(ERRORS[code].fr)
    t.equal(other, undefined, `${code}: a sentence of its own${other !== undefined ? ` (shared with ${other})` : ''}`)
    byText.set(ERRORS[code].fr, code)
    t.ok(errorStatus(code) >= 400 && errorStatus(code) <= 599, `${code}: an error status`)
  }
  const CONTRACT = { VALIDATION: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, SLOT_TAKEN: 409, SLOT_HELD: 409, SLOT_OVERLAP: 409, SLOT_BOOKED: 409, IMPORT_INVALID: 400 } as const
  for (const [code, status] of Object.entries(CONTRACT)) t.equal(errorStatus(code as keyof typeof CONTRACT), status, `${code} stays ${status}`)
  t.notOk(isErrorCode('CONFLICT'), 'CONFLICT is retired: each of its meanings has a code')
  t.equal(frenchMessage('NO_SUCH_CODE'), ERRORS.INTERNAL.fr, 'an unknown code reads as an internal error')
  t.equal(frenchMessage(undefined), ERRORS.INTERNAL.fr)
})

t.test('the pages choose their message by code, never from the server’s English', async (t) => {
  for (const { file, text } of web) {
    for (const m of text.matchAll(/\bcode\s*[!=]==\s*'([A-Z][A-Z_]+)'/g)) {
      t.ok(isErrorCode(m[1]!) || m[1] === 'OFFLINE', `${file}: ${m[1]!} is a code of shared/errors.ts`)
    }
    // The season import's line errors are the one exception: the contract gives them as English
    // sentences (`errors: [{line, message}]`), translated by web/lib/import-errors.ts and tested
    // sentence by sentence (test/import-errors-fr.test.ts).
    if (file === join('web', 'lib', 'import-errors.ts')) continue
    t.notMatch(text, /\.message\s*\.\s*(includes|split|startsWith|endsWith|match|replace)\(|details\[\d+\]\??\.message|===?\s*err\w*\.message/,
      `${file} reads no server sentence`)
  }
})
