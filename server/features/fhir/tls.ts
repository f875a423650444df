import { readFileSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server, type ServerOptions } from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { Config } from '../../config.js'

type TlsSettings = Pick<Config, 'tlsCert' | 'tlsKey' | 'tlsClientCa' | 'fhirTlsPort'> & Partial<Pick<Config, 'tlsClientCrl'>>

/** https options, and the CRL file the listener keeps reading (`TLS_CLIENT_CRL`). */
export type ListenerOptions = ServerOptions & { crlFile?: string }

/** A PEM CRL block; some tools write `CRL` for OpenSSL's `X509 CRL` label. */
const PEM_CRL = /-----BEGIN (?:X509 )?CRL-----([\s\S]+?)-----END (?:X509 )?CRL-----/g

/**
 * The CRLs of a file as PEM blocks, what Node's `crl` option takes: a PEM file (one CRL or
 * several, e.g. the IGC Santé's root and intermediate CAs' together) or one DER CRL. Throws when
 * the file holds none.
 */
export function readCrlFile (path: string): string[] {
  const raw = readFileSync(path)
  const text = raw.toString('latin1')
  if (text.includes('-----BEGIN')) {
    const blocks = [...text.matchAll(PEM_CRL)].map((m) => `-----BEGIN X509 CRL-----${m[1] ?? ''}-----END X509 CRL-----\n`)
    if (blocks.length === 0) throw new Error(`${path}: no "X509 CRL" PEM block`)
    return blocks
  }
  // DER: a SEQUENCE (0x30). Wrapped as PEM, 64 base64 characters a line.
  if (raw.length < 16 || raw[0] !== 0x30) throw new Error(`${path}: neither a PEM nor a DER CRL`)
  const lines = raw.toString('base64').match(/.{1,64}/g) ?? []
  return [`-----BEGIN X509 CRL-----\n${lines.join('\n')}\n-----END X509 CRL-----\n`]
}

function serverIdentity (config: TlsSettings & { tlsCert: string, tlsKey: string }): ServerOptions {
  return { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey), minVersion: 'TLSv1.2' }
}

/**
 * Ask for a client certificate but refuse none at the handshake: the route checks it and
 * answers a 401 OperationOutcome rather than a bare TLS alert.
 */
function askForClientCertificate (ca: string, crl: string | null | undefined): ListenerOptions {
  const options: ListenerOptions = { ca: readFileSync(ca), requestCert: true, rejectUnauthorized: false }
  if (crl == null) return options
  return { ...options, crl: readCrlFile(crl), crlFile: crl }
}

/**
 * The main listener's https options; undefined for plain http. It asks for client certificates
 * only when there is a client CA and no separate FHIR listener (`FHIR_TLS_PORT`): a browser
 * holding a CPS-card certificate would otherwise show a certificate prompt on every page.
 */
export function httpsOptions (config: TlsSettings): ListenerOptions | undefined {
  if (config.tlsCert === null || config.tlsKey === null) return undefined
  const identity = serverIdentity({ ...config, tlsCert: config.tlsCert, tlsKey: config.tlsKey })
  if (config.tlsClientCa === null || config.fhirTlsPort !== null) return identity
  return { ...identity, ...askForClientCertificate(config.tlsClientCa, config.tlsClientCrl) }
}

/** The options of the FHIR listener on `FHIR_TLS_PORT` (it asks for client certificates); undefined when there is none. */
export function fhirHttpsOptions (config: TlsSettings): ListenerOptions | undefined {
  if (config.fhirTlsPort === null || config.tlsCert === null || config.tlsKey === null || config.tlsClientCa === null) return undefined
  return { ...serverIdentity({ ...config, tlsCert: config.tlsCert, tlsKey: config.tlsKey }), ...askForClientCertificate(config.tlsClientCa, config.tlsClientCrl) }
}

/** Connections accepted by a listener that asks for client certificates. */
const certificateSockets = new WeakSet<TLSSocket>()

/**
 * An https server; when it asks for client certificates, its connections are remembered as such.
 * With a CRL file (`crlFile`), a revoked client certificate is refused at the handshake: the
 * connection is closed before any request is read, as Node's own `rejectUnauthorized` does
 * (other faults of a certificate get the route's 401 OperationOutcome). The file is looked at
 * (its size and time) as each connection arrives, and read again when it changed, so that a
 * CRL replaced on disk counts from the next connection; a file that no longer reads keeps the
 * CRL in force, with a warning.
 */
export function createHttpsListener (options: ListenerOptions, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const { crlFile, ...tlsOptions } = options
  const server = createServer(tlsOptions, handler)
  if (tlsOptions.requestCert === true) {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      // Typed as an Error, it is the OpenSSL code at run time.
      if ((socket.authorizationError as unknown) === 'CERT_REVOKED') { socket.destroy(); return }
      certificateSockets.add(socket)
    })
  }
  if (crlFile !== undefined) {
    let seen = crlStamp(crlFile)
    // Before the TLS socket of the connection is made (with the context of that moment).
    server.prependListener('connection', () => {
      const now = crlStamp(crlFile)
      if (now === seen) return
      seen = now
      try {
        server.setSecureContext({ ...tlsOptions, crl: readCrlFile(crlFile) })
      } catch (err) {
        console.warn(`TLS_CLIENT_CRL ${crlFile} could not be read again; the previous CRL stays in force: ${(err as Error).message}`)
      }
    })
  }
  return server
}

/**
 * What tells that the CRL file changed: its time, size and inode ('' when it cannot be read).
 * One stat a connection (about 2 µs, next to a handshake's public-key work) on purpose: an
 * fs.watch event arrives through the event loop, possibly after a connection accepted in the
 * same turn, which would then still be checked against the replaced CRL (a revoked certificate
 * let in); a watch on the file also loses it once the file is renamed over, and is not available
 * on every file system.
 */
function crlStamp (path: string): string {
  try {
    const s = statSync(path)
    return `${s.mtimeMs}:${s.size}:${s.ino}`
  } catch {
    return ''
  }
}

/** True when this connection came through a listener that asks for client certificates. */
export function viaCertificateListener (socket: unknown): socket is TLSSocket {
  return typeof socket === 'object' && socket !== null && certificateSockets.has(socket as TLSSocket)
}
