// Throwaway certificates and CRLs made in memory with @peculiar/x509 (ECDSA P-256): a CA standing
// for the IGC Santé, a server certificate for 127.0.0.1, client certificates the SAS
// certification kit's security group uses (valid, wrong CN, wrong OU, another CA, expired,
// revoked) and CRLs of the CA, written as PEM (or DER) files in a folder of the test.
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Crypto)

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY = 86_400_000

interface Issued { cert: x509.X509Certificate, keys: CryptoKeyPair }

async function keyPair (): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair
}

async function pemKey (key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`
}

let serial = 0x1000
const nextSerial = (): string => (serial++).toString(16).padStart(8, '0')

async function makeCa (name: string, now: Date): Promise<Issued> {
  const keys = await keyPair()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(), name: `CN=${name}`, notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + 30 * DAY),
    keys, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  return { cert, keys }
}

async function issue (issuer: Issued, subject: string, opts: { notBefore?: Date, notAfter?: Date, server?: boolean }, now: Date): Promise<Issued> {
  const keys = await keyPair()
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert, false)
  ]
  if (opts.server === true) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(), subject, issuer: issuer.cert.subject,
    notBefore: opts.notBefore ?? new Date(now.getTime() - DAY), notAfter: opts.notAfter ?? new Date(now.getTime() + 30 * DAY),
    publicKey: keys.publicKey, signingKey: issuer.keys.privateKey, signingAlgorithm: ALG, extensions
  })
  return { cert, keys }
}

export type ClientName = 'sas' | 'badCn' | 'badOu' | 'rogue' | 'expired' | 'revoked' | 'revokedLater'

export interface Pki {
  dir: string
  caCert: string
  serverCert: string
  serverKey: string
  clients: Record<ClientName, { cert: string, key: string, serial: string }>
  /** Writes a CRL of the CA revoking these clients to `file` (PEM, or DER); returns its path. */
  writeCrl: (file: string, revoked: ClientName[], opts?: { der?: boolean }) => Promise<string>
}

/** The PKI of the kit's security group: its subjects are the SAS platform's (CN, OU) or not. */
export async function makePki (dir: string, cn = 'plateforme-sas', ou = 'SAS'): Promise<Pki> {
  const now = new Date()
  const ca = await makeCa('IGC Sante test', now)
  const rogueCa = await makeCa('IGC Sante test', now) // same name, another key: "another CA"
  const server = await issue(ca, 'CN=127.0.0.1', { server: true }, now)
  const good = `CN=${cn}, OU=${ou}`
  const made: Record<ClientName, Issued> = {
    sas: await issue(ca, good, {}, now),
    badCn: await issue(ca, `CN=cabinet-dupont, OU=${ou}`, {}, now),
    badOu: await issue(ca, `CN=${cn}, OU=Cabinet medical`, {}, now),
    rogue: await issue(rogueCa, good, {}, now),
    expired: await issue(ca, good, { notBefore: new Date(now.getTime() - 10 * DAY), notAfter: new Date(now.getTime() - DAY) }, now),
    revoked: await issue(ca, good, {}, now),
    revokedLater: await issue(ca, good, {}, now)
  }
  const write = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p }
  const clients = {} as Pki['clients']
  for (const [name, it] of Object.entries(made) as Array<[ClientName, Issued]>) {
    clients[name] = { cert: write(`${name}.crt`, it.cert.toString('pem')), key: write(`${name}.key`, await pemKey(it.keys.privateKey)), serial: it.cert.serialNumber }
  }
  return {
    dir,
    caCert: write('ca.crt', ca.cert.toString('pem')),
    serverCert: write('server.crt', server.cert.toString('pem')),
    serverKey: write('server.key', await pemKey(server.keys.privateKey)),
    clients,
    writeCrl: async (file, revoked, opts = {}) => {
      const crl = await x509.X509CrlGenerator.create({
        issuer: ca.cert.subject, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 7 * DAY),
        signingKey: ca.keys.privateKey, signingAlgorithm: ALG,
        extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false)],
        entries: revoked.map((n) => ({ serialNumber: clients[n].serial, revocationDate: new Date(Date.now() - 60_000), reason: x509.X509CrlReason.keyCompromise }))
      })
      const path = join(dir, file)
      writeFileSync(path, opts.der === true ? Buffer.from(crl.rawData) : crl.toString('pem'))
      return path
    }
  }
}
