import { createRequire } from 'node:module'
import type * as Nodemailer from 'nodemailer'
import type { BookingChange } from './booking-change.js'
import { DeliveryError, type DeliveryChannel } from './channel.js'
import { buildMailMessage, type MailMessage } from './mail-message.js'

export interface MailChannelOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  smtpUrl: string
  from: string
  publicUrl: string
}

/**
 * E-mail notices to the practitioner whose slot was booked, or whose booking was cancelled.
 * One SMTP connection per message (a few a day per practitioner): nothing to keep open.
 */
export function mailChannel (opts: MailChannelOptions): DeliveryChannel<MailMessage> {
  // Loaded here, with SMTP_URL set, not at start: a server without e-mail never needs nodemailer
  // (~10 MB of the process's memory, docs/performance.md "Memory").
  const { createTransport } = createRequire(import.meta.url)('nodemailer') as typeof Nodemailer
  const transport = createTransport({
    url: opts.smtpUrl,
    // A server that does not answer fails the attempt quickly; the queue retries it later.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000
  })
  return {
    name: 'mail',
    build: (change: BookingChange) => buildMailMessage(change, opts.publicUrl),
    async send (m) {
      try {
        await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text })
      } catch (err) {
        // 5xx from the server (unknown mailbox, refused sender): sending again cannot help.
        const code = (err as { responseCode?: unknown }).responseCode
        const permanent = typeof code === 'number' && code >= 500 && code < 600
        throw new DeliveryError(err instanceof Error ? err.message : String(err), !permanent)
      }
    },
    close () { transport.close() }
  }
}
