import { request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { BookingChange } from './booking-change.js'
import { DeliveryError, type DeliveryChannel } from './channel.js'
import { buildAppointment, type SasAppointment } from './appointment-resource.js'

/** mTLS towards the SAS platform (PEM contents): our client certificate, its key, the CA to trust. */
export interface SasTls { cert?: string | Buffer, key?: string | Buffer, ca?: string | Buffer }

export interface SasChannelOptions {
  /** The SAS platform's FHIR base, without a trailing slash. */
  baseUrl: string
  /** `Appointment.identifier.system` of our appointments. */
  idSystem: string
  tls: SasTls
  timeoutMs?: number
}

/** A queued call: create on booking, conditional update by identifier afterwards. */
export interface SasRequest {
  method: 'POST' | 'PUT'
  identifier: { system: string, value: string }
  resource: SasAppointment
}

const MAX_BODY = 64 * 1024

/** The search that finds our appointment at the SAS: `identifier=<system>|<value>` (encoded). */
export function identifierQuery (identifier: SasRequest['identifier']): string {
  return `identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}`
}

/** `[base]/Appointment` to create, `[base]/Appointment?identifier=<system>|<value>` to update. */
export function sasRequestUrl (baseUrl: string, r: SasRequest): string {
  return r.method === 'POST' ? `${baseUrl}/Appointment` : `${baseUrl}/Appointment?${identifierQuery(r.identifier)}`
}

/** The human text of an OperationOutcome (or the start of whatever else was answered). */
export function outcomeText (body: string): string {
  try {
    const oo = JSON.parse(body) as { resourceType?: string, issue?: Array<{ diagnostics?: string, details?: { text?: string }, code?: string }> }
    if (oo.resourceType === 'OperationOutcome' && Array.isArray(oo.issue)) {
      const texts = oo.issue.map((i) => i.diagnostics ?? i.details?.text ?? i.code ?? '').filter((t) => t !== '')
      if (texts.length > 0) return texts.join('; ')
    }
  } catch { /* not JSON: the raw text below */ }
  return body.slice(0, 300)
}

/**
 * INT_R03: we are the client. Every booking, cancellation and outcome becomes an Appointment
 * (FrAppointmentSAS) posted, then updated, on the SAS platform: `POST [base]/Appointment`
 * (201 expected) then `PUT [base]/Appointment?identifier=…` (200). 4xx other than 408 and 429
 * are refusals a retry cannot fix; 5xx, 408, 429 and network errors are retried.
 *
 * The POST is a FHIR conditional create (`If-None-Exist: identifier=…`): a POST retried after a
 * timeout or a 5xx whose first try did reach the SAS finds that appointment instead of making a
 * second one (the server then answers 200). A booking whose regulator has no SAS identifier
 * (INT_R02) cannot name its operator: `build` refuses it, and the queue records it as given up.
 */
export function sasAppointmentChannel (opts: SasChannelOptions): DeliveryChannel<SasRequest> {
  const https = opts.baseUrl.startsWith('https:')
  const agent = https ? new HttpsAgent({ keepAlive: true, ...opts.tls }) : undefined
  const timeoutMs = opts.timeoutMs ?? 15_000

  const call = (r: SasRequest): Promise<{ status: number, body: string }> => new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify(r.resource))
    const url = new URL(sasRequestUrl(opts.baseUrl, r))
    const headers: Record<string, string> = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', 'content-length': String(body.length) }
    if (r.method === 'POST') headers['if-none-exist'] = identifierQuery(r.identifier)
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => { if (size < MAX_BODY) { chunks.push(c); size += c.length } })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    }
    const req = https
      ? httpsRequest(url, { method: r.method, headers, agent }, onResponse)
      : httpRequest(url, { method: r.method, headers }, onResponse)
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from the SAS platform within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })

  return {
    name: 'sas',
    build (change: BookingChange): SasRequest | null {
      // Imported history: nobody booked, nothing to tell the SAS.
      if (change.booking.bookedBy === null) return null
      if (change.booking.bookedBySasId === null) {
        throw new DeliveryError(`regulator ${change.booking.bookedBy} has no SAS identifier (INT_R02)`, false)
      }
      const resource = buildAppointment(change, opts.idSystem, change.booking.bookedBySasId)
      return { method: change.kind === 'booked' ? 'POST' : 'PUT', identifier: { system: opts.idSystem, value: change.booking.id }, resource }
    },
    async send (r) {
      let res: { status: number, body: string }
      try {
        res = await call(r)
      } catch (err) {
        throw new DeliveryError(`${r.method} Appointment: ${err instanceof Error ? err.message : String(err)}`, true)
      }
      if (res.status >= 200 && res.status < 300) return
      const retry = res.status >= 500 || res.status === 408 || res.status === 429
      throw new DeliveryError(`${r.method} Appointment: HTTP ${res.status} ${outcomeText(res.body)}`.trim(), retry)
    },
    close () { agent?.destroy() }
  }
}
