import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { availableParallelism } from 'node:os'

// N=2^15, r=8, p=1: OWASP's recommended floor for scrypt; ~50 ms on this machine.
const PARAMS = { N: 1 << 15, r: 8, p: 1 }
const KEY_LEN = 32

// Each scrypt holds 32 MiB (128·N·r) while it runs, on one of libuv's threads (4 by default).
// More at once than there are cores finishes none sooner, the cores are the limit, but adds
// 32 MiB each to the peak memory (docs/performance.md, "Memory"): the others wait their turn.
const SCRYPT_AT_ONCE = Math.max(1, availableParallelism())
let scryptRunning = 0
const scryptWaiting: Array<() => void> = []

async function scrypt (password: string, salt: Buffer, keyLen: number, options: ScryptOptions): Promise<Buffer> {
  if (scryptRunning >= SCRYPT_AT_ONCE) await new Promise<void>((resolve) => scryptWaiting.push(resolve))
  else scryptRunning++
  try {
    return await new Promise((resolve, reject) => {
      scryptCb(password, salt, keyLen, options, (err, key) => { if (err) reject(err); else resolve(key) })
    })
  } finally {
    // The turn passes to the next one waiting (the count stays), or the count goes down.
    const next = scryptWaiting.shift()
    if (next !== undefined) next()
    else scryptRunning--
  }
}

function encode (salt: Buffer, key: Buffer, p: typeof PARAMS): string {
  return `scrypt$${p.N}$${p.r}$${p.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** Hashes with a fresh salt; the parameters are stored with the hash so they can grow later. */
export async function hashPassword (password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, KEY_LEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 })
  return encode(salt, key, PARAMS)
}

/** Constant-time comparison; a malformed stored hash simply does not match. */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string]
  const expected = Buffer.from(keyB64, 'base64url')
  const key = await scrypt(password, Buffer.from(saltB64, 'base64url'), expected.length,
    { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 })
  return key.length === expected.length && timingSafeEqual(key, expected)
}

/** A hash of a random password, so that "unknown e-mail" costs as long as "wrong password". */
export const DUMMY_HASH_PROMISE: Promise<string> = hashPassword(randomBytes(16).toString('hex'))
