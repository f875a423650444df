import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { ROLES, type Role } from '../shared/schemas/accounts.js'
import { MAJORATION_DEFAULTS } from './features/reports/majoration.js'

const boolish = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1')

/** Every setting, read from the environment (see README's table and .env.example). */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// or postgresql:// URL').optional(),
  HOLD_SECONDS: z.coerce.number().int().min(5).max(3600).default(180),
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  SECURE_COOKIES: boolish.default(false),
  SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  PUBLISH_MAX_DAYS_AHEAD: z.coerce.number().int().min(1).max(730).default(180),
  HOLD_SWEEP_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  FEED_RATE_LIMIT: z.coerce.number().int().min(1).default(60),
  MAJORATION_EUROS: z.coerce.number().min(0).max(1000).default(MAJORATION_DEFAULTS.euros),
  MAJORATION_WEEKLY_CAP: z.coerce.number().int().min(0).max(1000).default(MAJORATION_DEFAULTS.weeklyCap),
  PUBLIC_URL: z.string().url().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/\s]+/, 'an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('Créneaux <no-reply@localhost>'),
  SAS_FHIR_BASE_URL: z.string().regex(/^https?:\/\/[^/\s]+/, 'an http:// or https:// URL').optional(),
  SAS_CLIENT_CERT: z.string().optional(),
  SAS_CLIENT_KEY: z.string().optional(),
  SAS_CA: z.string().optional(),
  SAS_APPOINTMENT_ID_SYSTEM: z.string().min(1).optional(),
  DELIVERY_POLL_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  FHIR_TOKENS: z.string().optional(),
  FHIR_REQUIRE_CLIENT_CERT: boolish.default(false),
  FHIR_CLIENT_CERT_CN: z.string().optional(),
  FHIR_CLIENT_CERT_OU: z.string().optional(),
  FHIR_TLS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  TLS_CLIENT_CA: z.string().optional(),
  TLS_CLIENT_CRL: z.string().optional(),
  LIVE_AUTH_CHECK_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
  LIVE_MAX_SOCKETS_PER_ACCOUNT: z.coerce.number().int().min(1).max(10_000).default(10),
  LIVE_COMMANDS_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(10),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(64 * 1024),
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(20 * 1024 * 1024),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(200),
  LOGIN_ADDRESS_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
  PATIENT_DATA_MONTHS: z.coerce.number().int().min(1).max(240).default(12),
  AUDIT_MONTHS: z.coerce.number().int().min(1).max(600).default(36),
  PSC_DISCOVERY_URL: z.string().regex(/^https?:\/\/[^/\s]+/, 'an http:// or https:// URL').optional(),
  PSC_CLIENT_ID: z.string().min(1).optional(),
  PSC_CLIENT_SECRET: z.string().min(1).optional(),
  PSC_REDIRECT_URL: z.string().regex(/^https?:\/\/[^/\s]+/, 'an http:// or https:// URL').optional(),
  PSC_POST_LOGOUT_URL: z.string().regex(/^https?:\/\/[^/\s]+/, 'an http:// or https:// URL').optional(),
  PSC_REQUIRED_ROLES: z.string().optional(),
  PSC_USERINFO_SIGNED: z.enum(['auto', 'false']).default('auto'),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DRAIN_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
})

export interface Config {
  port: number
  host: string
  dataDir: string
  /** The SQLite file, or `:memory:` (unused when `databaseUrl` is set). */
  dbFile: string
  /** PostgreSQL instead of SQLite: `postgres://user:password@host:5432/db`; null = the SQLite file. */
  databaseUrl: string | null
  holdSeconds: number
  adminEmail: string | undefined
  adminPassword: string | undefined
  secureCookies: boolean
  sessionHours: number
  publishMaxDaysAhead: number
  /** How often expired holds are looked for and released. */
  holdSweepMs: number
  /** Sign-in attempts allowed per minute for one address and e-mail. */
  loginRateLimit: number
  /** Fetches allowed per minute of one calendar feed (counted per feed address, whoever asks). */
  feedRateLimit: number
  /** Season report: euros paid per honored snp booking (the ARS majoration; the rule: features/reports/majoration.ts). */
  majorationEuros: number
  /** Season report: honored snp bookings counted per practitioner and ISO week, at most. */
  majorationWeeklyCap: number
  logLevel: string
  /** Months after its slot that a booking's patient identity and reasons are kept; then erased. */
  patientDataMonths: number
  /** Months an audit entry is kept; then the purge deletes it (the only deletion the audit log allows). */
  auditMonths: number
  /** Largest request body of a JSON route. */
  bodyLimitBytes: number
  /** Largest season import (CSV). */
  importBodyLimitBytes: number
  /** Time a request has to arrive whole (headers and body). */
  requestTimeoutMs: number
  /** Open connections allowed from one address (0 = no cap, e.g. behind a reverse proxy). */
  maxConnectionsPerAddress: number
  /** Sign-in attempts per minute from one address, whatever the e-mail (password spraying). */
  loginAddressRateLimit: number
  /** How often open sockets are checked against their credential (expiry, a sign-out on another instance). */
  liveAuthCheckMs: number
  /** Open `/api/live` sockets allowed per account; one more is closed at once. */
  liveMaxSocketsPerAccount: number
  /** Commands a socket may send per second (bursts of twice that); more are refused with RATE_LIMITED. */
  liveCommandsPerSecond: number
  /** The address users reach this server at, without a trailing slash (links in feeds, mails, FHIR). */
  publicUrl: string
  /** PUBLIC_URL was given. Without it, pages that show a link (the feed address) use the address the user came by. */
  publicUrlSet: boolean
  /** Folder of the built web assets (`dist/web`). */
  webDir: string
  /** E-mail notices to practitioners: the SMTP server (`smtp://user:pass@host:587`), null = off. */
  smtpUrl: string | null
  /** The From of those mails. */
  mailFrom: string
  /** INT_R03: the SAS platform's FHIR base, without a trailing slash; null = off. */
  sasFhirBaseUrl: string | null
  /** mTLS towards the SAS platform: PEM files (client certificate, its key, the CA to trust). */
  sasClientCert: string | null
  sasClientKey: string | null
  sasCa: string | null
  /** `Appointment.identifier.system` of what we send the SAS (keep it stable: updates find appointments by it). */
  sasAppointmentIdSystem: string
  /** How often the delivery queue reads new events and sends what is due. */
  deliveryPollMs: number
  /** Bearer secrets accepted on `/fhir/Slot` (the SAS platform's); empty = none. */
  fhirTokens: string[]
  /** `/fhir/Slot` answers only clients with a certificate signed by `tlsClientCa` (the SAS uses mTLS). */
  fhirRequireClientCert: boolean
  /** Accepted Common Names of those client certificates (never empty when `tlsClientCa` is set). */
  fhirClientCertNames: string[]
  /** Accepted Organizational Units of those certificates (one of them must be in the subject); empty = not checked. */
  fhirClientCertUnits: string[]
  /** A second https listener, the only one that asks for client certificates (mTLS); null = the main listener asks. */
  fhirTlsPort: number | null
  /** https: PEM files of the server's certificate and key; null = plain http (e.g. behind a proxy). */
  tlsCert: string | null
  tlsKey: string | null
  /** PEM file of the CA whose client certificates are asked for and verified (mTLS); null = none asked. */
  tlsClientCa: string | null
  /** Pro Santé Connect sign-in; null = off (no button, nothing changes). */
  psc: PscSettings | null
  /**
   * CRL file (PEM, one CRL or several, or DER) of `tlsClientCa`: a revoked client certificate is
   * refused at the handshake. Read again when the file changes; null = no revocation check.
   */
  tlsClientCrl: string | null
  /** `GET /metrics` on the main port, for `Authorization: Bearer <this>` only; null = not there. */
  metricsToken: string | null
  /** A port of its own for `GET /metrics` (no token there: keep it off the load balancer); null = none. */
  metricsPort: number | null
  /** On SIGTERM, the process exits within this many seconds whatever is still running. */
  drainSeconds: number
  /** On SIGTERM, readiness is false at once; new requests and sockets are refused after this grace. */
  drainGraceMs: number
}

/** Pro Santé Connect (README, "Sign in with Pro Santé Connect"). */
export interface PscSettings {
  /** The discovery document's URL (PSC's is not at the standard `/.well-known/openid-configuration`). */
  discoveryUrl: string
  clientId: string
  clientSecret: string
  /**
   * Where PSC sends the browser back (registered at PSC). Null: the public address (PUBLIC_URL,
   * else the address the browser came by, server/lib/public-url.ts) + `/connexion/psc/retour`.
   */
  redirectUrl: string | null
  /** Where PSC's end-session sends the browser after sign-out (registered at PSC); null: the public address + `/connexion`. */
  postLogoutUrl: string | null
  /** Roles whose accounts with an IDNPS may not sign in with a password. */
  requiredRoles: Role[]
  /** `auto`: a signed userinfo is required when the provider announces signing algorithms for it; `false`: never required. */
  userinfoSigned: 'auto' | 'false'
}

export const PSC_CALLBACK_PATH = '/connexion/psc/retour'

/** Walks up from this file to the folder holding package.json (works from source and dist). */
export function projectRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    /* c8 ignore next */
    if (parent === dir) throw new Error('package.json not found above ' + import.meta.url)
    dir = parent
  }
  return dir
}

export function loadConfig (env: NodeJS.ProcessEnv): Config {
  const parsed = EnvSchema.safeParse(Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== '')
  ))
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error('Invalid settings in the environment:\n' + lines.join('\n'))
  }
  const e = parsed.data
  const dataDir = resolve(e.DATA_DIR)
  const publicUrl = (e.PUBLIC_URL ?? `${e.TLS_CERT === undefined ? 'http' : 'https'}://localhost:${e.PORT}`).replace(/\/+$/, '')
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    dbFile: join(dataDir, 'creneaux.sqlite'),
    databaseUrl: e.DATABASE_URL ?? null,
    holdSeconds: e.HOLD_SECONDS,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    secureCookies: e.SECURE_COOKIES,
    sessionHours: e.SESSION_HOURS,
    publishMaxDaysAhead: e.PUBLISH_MAX_DAYS_AHEAD,
    holdSweepMs: e.HOLD_SWEEP_MS,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    feedRateLimit: e.FEED_RATE_LIMIT,
    majorationEuros: e.MAJORATION_EUROS,
    majorationWeeklyCap: e.MAJORATION_WEEKLY_CAP,
    logLevel: e.LOG_LEVEL,
    patientDataMonths: e.PATIENT_DATA_MONTHS,
    auditMonths: e.AUDIT_MONTHS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    importBodyLimitBytes: e.IMPORT_BODY_LIMIT_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    loginAddressRateLimit: e.LOGIN_ADDRESS_RATE_LIMIT,
    liveAuthCheckMs: e.LIVE_AUTH_CHECK_MS,
    liveMaxSocketsPerAccount: e.LIVE_MAX_SOCKETS_PER_ACCOUNT,
    liveCommandsPerSecond: e.LIVE_COMMANDS_PER_SECOND,
    publicUrl,
    publicUrlSet: e.PUBLIC_URL !== undefined,
    webDir: join(projectRoot(), 'dist', 'web'),
    metricsToken: e.METRICS_TOKEN ?? null,
    metricsPort: e.METRICS_PORT ?? null,
    drainSeconds: e.DRAIN_SECONDS,
    drainGraceMs: e.DRAIN_GRACE_MS,
    ...deliverySettings(e, publicUrl),
    ...fhirSettings(e),
    psc: pscSettings(e)
  }
}


function pscSettings (e: z.infer<typeof EnvSchema>): PscSettings | null {
  const given = [e.PSC_DISCOVERY_URL, e.PSC_CLIENT_ID, e.PSC_CLIENT_SECRET]
  const problems: string[] = []
  if (given.some((v) => v !== undefined) && given.some((v) => v === undefined)) problems.push('PSC_DISCOVERY_URL, PSC_CLIENT_ID and PSC_CLIENT_SECRET go together')
  const requiredRoles = commaList(e.PSC_REQUIRED_ROLES)
  for (const r of requiredRoles) if (!(ROLES as readonly string[]).includes(r)) problems.push(`PSC_REQUIRED_ROLES: unknown role ${r} (${ROLES.join(', ')})`)
  if (requiredRoles.length > 0 && e.PSC_DISCOVERY_URL === undefined) problems.push('PSC_REQUIRED_ROLES needs PSC_DISCOVERY_URL, PSC_CLIENT_ID and PSC_CLIENT_SECRET')
  if (problems.length > 0) throw new Error('Invalid settings in the environment:\n' + problems.map((p) => '  ' + p).join('\n'))
  if (e.PSC_DISCOVERY_URL === undefined || e.PSC_CLIENT_ID === undefined || e.PSC_CLIENT_SECRET === undefined) return null
  return {
    discoveryUrl: e.PSC_DISCOVERY_URL,
    clientId: e.PSC_CLIENT_ID,
    clientSecret: e.PSC_CLIENT_SECRET,
    redirectUrl: e.PSC_REDIRECT_URL ?? null,
    postLogoutUrl: e.PSC_POST_LOGOUT_URL ?? null,
    requiredRoles: requiredRoles as PscSettings['requiredRoles'],
    userinfoSigned: e.PSC_USERINFO_SIGNED
  }
}

const commaList = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')

/** FHIR interface for the SAS platform, and the https/mTLS listener it needs. */
function fhirSettings (e: z.infer<typeof EnvSchema>) {
  const problems: string[] = []
  const fhirTokens = commaList(e.FHIR_TOKENS)
  if (fhirTokens.some((tok) => tok.length < 16)) problems.push('FHIR_TOKENS: each secret needs at least 16 characters')
  if ((e.TLS_CERT === undefined) !== (e.TLS_KEY === undefined)) problems.push('TLS_CERT and TLS_KEY go together')
  if (e.TLS_CLIENT_CA !== undefined && e.TLS_CERT === undefined) problems.push('TLS_CLIENT_CA needs TLS_CERT and TLS_KEY (https)')
  if (e.FHIR_REQUIRE_CLIENT_CERT && e.TLS_CLIENT_CA === undefined) problems.push('FHIR_REQUIRE_CLIENT_CERT needs TLS_CLIENT_CA, TLS_CERT and TLS_KEY')
  // The IGC Santé signs certificates for every health professional and facility: the CA alone proves nothing.
  if ((e.TLS_CLIENT_CA !== undefined || e.FHIR_REQUIRE_CLIENT_CERT) && commaList(e.FHIR_CLIENT_CERT_CN).length === 0) {
    problems.push('TLS_CLIENT_CA and FHIR_REQUIRE_CLIENT_CERT need FHIR_CLIENT_CERT_CN (the Common Names of the SAS platform\'s certificates)')
  }
  if (e.FHIR_TLS_PORT !== undefined && e.TLS_CLIENT_CA === undefined) problems.push('FHIR_TLS_PORT needs TLS_CLIENT_CA, TLS_CERT and TLS_KEY')
  if (e.TLS_CLIENT_CRL !== undefined && e.TLS_CLIENT_CA === undefined) problems.push('TLS_CLIENT_CRL needs TLS_CLIENT_CA (the CA whose revocations it lists)')
  if (e.FHIR_TLS_PORT !== undefined && e.FHIR_TLS_PORT !== 0 && e.FHIR_TLS_PORT === e.PORT) problems.push('FHIR_TLS_PORT must differ from PORT')
  if (problems.length > 0) throw new Error('Invalid settings in the environment:\n' + problems.map((p) => '  ' + p).join('\n'))
  return {
    fhirTokens,
    fhirRequireClientCert: e.FHIR_REQUIRE_CLIENT_CERT,
    fhirClientCertNames: commaList(e.FHIR_CLIENT_CERT_CN),
    fhirClientCertUnits: commaList(e.FHIR_CLIENT_CERT_OU),
    fhirTlsPort: e.FHIR_TLS_PORT ?? null,
    tlsCert: e.TLS_CERT ?? null,
    tlsKey: e.TLS_KEY ?? null,
    tlsClientCa: e.TLS_CLIENT_CA ?? null,
    tlsClientCrl: e.TLS_CLIENT_CRL ?? null
  } satisfies Partial<Config>
}

/** Mail and SAS appointment settings: each channel is off while its address is unset. */
function deliverySettings (e: z.infer<typeof EnvSchema>, publicUrl: string) {
  // The appointments' identifier system must never change once used (updates find them by it):
  // a default built on the fallback http://localhost:PORT would change with the first real PUBLIC_URL.
  if (e.SAS_FHIR_BASE_URL !== undefined && e.SAS_APPOINTMENT_ID_SYSTEM === undefined && e.PUBLIC_URL === undefined) {
    throw new Error('Invalid settings in the environment:\n  SAS_FHIR_BASE_URL needs SAS_APPOINTMENT_ID_SYSTEM (or at least PUBLIC_URL): the identifier system of the appointments must not change once used')
  }
  return {
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    sasFhirBaseUrl: e.SAS_FHIR_BASE_URL === undefined ? null : e.SAS_FHIR_BASE_URL.replace(/\/+$/, ''),
    sasClientCert: e.SAS_CLIENT_CERT ?? null,
    sasClientKey: e.SAS_CLIENT_KEY ?? null,
    sasCa: e.SAS_CA ?? null,
    sasAppointmentIdSystem: e.SAS_APPOINTMENT_ID_SYSTEM ?? `${publicUrl}/fhir/appointment-id`,
    deliveryPollMs: e.DELIVERY_POLL_MS
  } satisfies Partial<Config>
}
