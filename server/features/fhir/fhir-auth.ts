/**
 * Who may search slots: the SAS platform authenticates with a client certificate (mTLS, IGC
 * Santé CA, checked by Common Name and Organizational Unit); other callers, or the SAS through
 * a proxy that ends TLS, with a bearer secret from `FHIR_TOKENS` or an API token of a
 * regulator or admin account.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { TLSSocket } from 'node:tls'
import type { FastifyRequest } from 'fastify'
import { FhirError } from './operation-outcome.js'
import { viaCertificateListener } from './tls.js'

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
  /** The subject's Common Names and Organizational Units (usually one CN; an OU may repeat). */
  commonNames: string[]
  units: string[]
}

const values = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []

/**
 * The client certificate presented on this connection; null when it is not TLS, none was sent,
 * or the connection came through a listener that does not ask for one (with `FHIR_TLS_PORT`,
 * only that listener's certificates count).
 */
export function clientCertificate (socket: unknown): ClientCertificate | null {
  if (!(socket instanceof TLSSocket) || !viaCertificateListener(socket)) return null
  const cert = socket.getPeerCertificate()
  if (cert === null || Object.keys(cert).length === 0) return null
  return { authorized: socket.authorized, commonNames: values(cert.subject?.CN), units: values(cert.subject?.OU) }
}

export interface CertificateRule {
  /** Accepted Common Names: never empty (the settings refuse a client CA without them). */
  commonNames: readonly string[]
  /** Accepted Organizational Units; empty = not checked. */
  units: readonly string[]
}

/**
 * A certificate of our CA whose one Common Name is accepted and, when units are set, with one
 * of the accepted Organizational Units: the IGC Santé signs for every professional and facility,
 * so the CA alone proves nothing. An empty list of names accepts nothing.
 */
export function certificateAccepted (cert: ClientCertificate | null, rule: CertificateRule): boolean {
  if (cert === null || !cert.authorized) return false
  const [cn, ...more] = cert.commonNames
  if (cn === undefined || more.length > 0 || !rule.commonNames.includes(cn)) return false
  return rule.units.length === 0 || cert.units.some((ou) => rule.units.includes(ou))
}

export interface FhirAccessPolicy {
  requireClientCert: boolean
  certificate: CertificateRule
  tokenDigests: readonly Buffer[]
}

/** The route hook of `/fhir/Slot`: returns how the caller was recognised, or throws a 401. */
export function authorizeFhir (request: FastifyRequest, policy: FhirAccessPolicy): 'certificate' | 'token' | 'api-token' {
  const certOk = certificateAccepted(clientCertificate(request.raw.socket), policy.certificate)
  if (certOk) return 'certificate'
  if (policy.requireClientCert) {
    throw new FhirError(401, 'login', 'A client certificate of the SAS platform, issued by the configured authority, is required (mTLS)')
  }
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  if (m?.[1] !== undefined && matchesSecret(m[1], policy.tokenDigests)) return 'token'
  const user = request.user
  if (user !== null && user.via === 'token' && (user.role === 'regulator' || user.role === 'admin')) return 'api-token'
  throw new FhirError(401, 'login', 'Authenticate with a bearer token (Authorization: Bearer …) or a client certificate')
}
