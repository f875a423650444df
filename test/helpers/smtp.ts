import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

interface Teardown { teardown: (fn: () => unknown) => void }
export interface Smtp { port: number, mails: ParsedMail[], close: () => Promise<void> }

/**
 * A real SMTP server on localhost that keeps every message it accepts, parsed. `refuse(n)`
 * may answer the n-th message (from 1) with an SMTP error instead, e.g. `451` (try later).
 */
export async function startSmtp (t: Teardown, port = 0, refuse: (n: number) => number | null = () => null): Promise<Smtp> {
  const mails: ParsedMail[] = []
  let received = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream, _session, callback) {
      const code = refuse(++received)
      simpleParser(stream).then((m) => {
        if (code !== null) { callback(Object.assign(new Error('refused by the test server'), { responseCode: code })); return }
        mails.push(m)
        callback()
      }, callback)
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  let open = true
  const close = async (): Promise<void> => {
    if (!open) return
    open = false
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  t.teardown(close)
  return { port: address.port, mails, close }
}
