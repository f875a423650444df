// A browser without a browser, for the PSC tests: it follows the app's redirects (by inject) and
// PSC's (by fetch, on the stand-in), keeps each side's cookies, and fills in PSC's sign-in page.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'

export class PscBrowser {
  readonly appCookies = new Map<string, string>()
  readonly pscCookies = new Map<string, string>()
  /** The HTML of PSC's sign-in page, when one was shown. */
  pscPage: string | null = null

  constructor (readonly app: FastifyInstance, readonly publicUrl: string) {}

  get cookie (): string { return [...this.appCookies].map(([k, v]) => `${k}=${v}`).join('; ') }

  /** One request to the app, keeping the cookies it sets. */
  async get (path: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url: path, headers: this.appCookies.size > 0 ? { cookie: this.cookie } : {} })
    for (const c of res.cookies) {
      // Cleared cookies expire in 1970 (the app's own clock, not today's, sets the others).
      const expired = c.expires !== undefined && new Date(c.expires).getTime() <= 0
      if (c.value === '' || expired) this.appCookies.delete(c.name); else this.appCookies.set(c.name, c.value)
    }
    return res
  }

  /** One request to PSC, keeping its cookies. */
  async psc (url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.pscCookies.size > 0) headers.set('cookie', [...this.pscCookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const res = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      const value = pair!.slice(eq + 1)
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.pscCookies.delete(name); else this.pscCookies.set(name, value)
    }
    return res
  }

  /**
   * From `path` on the app to PSC and through its sign-in page as `idnps` (when PSC asks), up to
   * the app's callback address, which is returned (not opened: tests tamper with it first).
   */
  async toCallback (path: string, idnps: string): Promise<string> {
    let res = await this.get(path)
    let location = res.headers.location as string | undefined
    while (location?.startsWith('/') === true) {
      res = await this.get(location)
      location = res.headers.location as string | undefined
    }
    if (location === undefined) throw new Error(`the app did not send the browser to PSC: ${res.statusCode} ${res.body.slice(0, 200)}`)
    for (let hops = 0; hops < 10; hops++) {
      if (location.startsWith(this.publicUrl)) return location
      const r = await this.psc(location)
      if (r.status === 200) {
        this.pscPage = await r.text()
        const action = /action="([^"]+)"/.exec(this.pscPage)?.[1]
        if (action === undefined) throw new Error('no form on PSC\'s page')
        const posted = await this.psc(new URL(action, location).href, {
          method: 'POST', body: new URLSearchParams({ idnps }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }
        })
        if (posted.status >= 400) throw new Error(`PSC refused the sign-in: ${posted.status} ${await posted.text()}`)
        location = new URL(posted.headers.get('location')!, location).href
        continue
      }
      if (r.status < 300 || r.status >= 400) throw new Error(`PSC answered ${r.status}: ${await r.text()}`)
      location = new URL(r.headers.get('location')!, location).href
    }
    throw new Error('too many redirects at PSC')
  }

  /** Opens the callback address on the app (PSC's redirect back). */
  async callback (url: string): Promise<LightMyRequestResponse> {
    const u = new URL(url)
    return await this.get(u.pathname + u.search)
  }
}
