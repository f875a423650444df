import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

const boolish = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1')

/** Every setting, read from the environment (see README's table and .env.example). */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  HOLD_SECONDS: z.coerce.number().int().min(5).max(3600).default(180),
  ADMIN_EMAIL: z.string().optional(),
  ADMIN_PASSWORD: z.string().optional(),
  SECURE_COOKIES: boolish.default(false),
  SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  PUBLISH_MAX_DAYS_AHEAD: z.coerce.number().int().min(1).max(730).default(180),
  HOLD_SWEEP_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  MAJORATION_EUROS: z.coerce.number().min(0).max(1000).default(15),
  MAJORATION_WEEKLY_CAP: z.coerce.number().int().min(0).max(1000).default(20),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
})

export interface Config {
  port: number
  host: string
  dataDir: string
  /** The SQLite file, or `:memory:`. */
  dbFile: string
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
  /** Season report: euros paid per honored snp booking (the ARS majoration). */
  majorationEuros: number
  /** Season report: honored snp bookings counted per practitioner and ISO week, at most. */
  majorationWeeklyCap: number
  logLevel: string
  /** The address users reach this server at, without a trailing slash (links in feeds, mails, FHIR). */
  publicUrl: string
  /** Folder of the built web assets (`dist/web`). */
  webDir: string
}

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
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    dbFile: join(dataDir, 'creneaux.sqlite'),
    holdSeconds: e.HOLD_SECONDS,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    secureCookies: e.SECURE_COOKIES,
    sessionHours: e.SESSION_HOURS,
    publishMaxDaysAhead: e.PUBLISH_MAX_DAYS_AHEAD,
    holdSweepMs: e.HOLD_SWEEP_MS,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    majorationEuros: e.MAJORATION_EUROS,
    majorationWeeklyCap: e.MAJORATION_WEEKLY_CAP,
    logLevel: e.LOG_LEVEL,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    webDir: join(projectRoot(), 'dist', 'web')
  }
}
