/**
 * Who may search slots: the SAS platform authenticates with a client certificate (mTLS, IGC
 * Santé CA); other callers, or the SAS through a proxy that ends TLS, with a bearer secret from
 * `FHIR_TOKENS` or an API token of a regulator or admin account.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { TLSSocket } from 'node:tls'
import type { FastifyRequest } from 'fastify'
import { FhirError } from './operation-outcome.js'

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** True when `candidate` is one of the secrets: every digest is compared, in constant time. */
export function matchesSecret (candidate: string, secretDigests: readonly Buffer[]): boolean {
  const d = digest(candidate)
  let found = false
  for (const s of secretDigests) found = timingSafeEqual(d, s) || found
  return found
}

export function secretDigests (secrets: readonly string[]): Buffer[] {
  return secrets.map(digest)
}

export interface ClientCertificate {
  /** Signed by the configured CA (`TLS_CLIENT_CA`) and valid now. */
  authorized: boolean
  commonName: string | null
}

/** The client certificate presented on this connection; null when it is not TLS or none was sent. */
export function clientCertificate (socket: unknown): ClientCertificate | null {
  if (!(socket instanceof TLSSocket)) return null
  const cert = socket.getPeerCertificate()
  if (cert === null || Object.keys(cert).length === 0) return null
  const cn: unknown = cert.subject?.CN
  return { authorized: socket.authorized, commonName: typeof cn === 'string' ? cn : Array.isArray(cn) ? String(cn[0]) : null }
}

/** A certificate of our CA, with one of the accepted Common Names when a list is set. */
export function certificateAccepted (cert: ClientCertificate | null, commonNames: readonly string[]): boolean {
  if (cert === null || !cert.authorized) return false
  return commonNames.length === 0 || (cert.commonName !== null && commonNames.includes(cert.commonName))
}

export interface FhirAccessPolicy {
  requireClientCert: boolean
  clientCertNames: readonly string[]
  tokenDigests: readonly Buffer[]
}

/** The route hook of `/fhir/Slot`: returns how the caller was recognised, or throws a 401. */
export function authorizeFhir (request: FastifyRequest, policy: FhirAccessPolicy): 'certificate' | 'token' | 'api-token' {
  const certOk = certificateAccepted(clientCertificate(request.raw.socket), policy.clientCertNames)
  if (certOk) return 'certificate'
  if (policy.requireClientCert) {
    throw new FhirError(401, 'login', 'A client certificate issued by the configured authority is required (mTLS)')
  }
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  if (m?.[1] !== undefined && matchesSecret(m[1], policy.tokenDigests)) return 'token'
  const user = request.user
  if (user !== null && user.via === 'token' && (user.role === 'regulator' || user.role === 'admin')) return 'api-token'
  throw new FhirError(401, 'login', 'Authenticate with a bearer token (Authorization: Bearer …) or a client certificate')
}
