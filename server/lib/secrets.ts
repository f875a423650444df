import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** A bearer secret: 32 random bytes, URL-safe. Only its hash is stored. */
export function newSecret (prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

export function sha256 (value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function newId (): string {
  return randomUUID()
}
