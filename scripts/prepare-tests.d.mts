// Types of scripts/prepare-tests.mjs (plain JavaScript, so that `npm test` runs it before any build).
export const DEFAULT_CHROMIUM: string
export const CHROMIUM_PACKAGES: string[]
export function installCommand (packages: string[], uid: number): string
export interface ChromiumFacts { path: string, present: boolean, uid: number, apt: boolean, install: 'auto' | 'never' }
export interface ChromiumDecision { action: 'present' | 'install' | 'stop', packages: string[], message: string | null }
export function decideChromium (facts: ChromiumFacts): ChromiumDecision
export interface PostgresFacts { mode: string, answers: boolean, local: boolean, clusters: string[], pgCtl: boolean, uid: number }
export interface PostgresDecision { action: 'ready' | 'skip' | 'start' | 'stop' | 'absent', version?: string, command?: string, message: string | null }
export function decidePostgres (facts: PostgresFacts): PostgresDecision
export const DEFAULT_TEST_DATABASE_URL: string
export function postgresProblem (url: string): Promise<string | null>
export function postgresMode (env: Record<string, string | undefined>): string
export function prepare (opts?: { browser?: boolean, postgres?: boolean, env?: Record<string, string | undefined>, log?: (line: string) => void }): Promise<string[]>
