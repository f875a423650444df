// The little of the `reflect-metadata` polyfill that tsyringe (under @peculiar/x509) needs:
// decorator metadata stored per object and property, read through the prototype chain. The
// package itself is not installed; import this module before @peculiar/x509.
type Target = object
const store = new WeakMap<Target, Map<string | symbol | undefined, Map<unknown, unknown>>>()

function own (target: Target, prop: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined {
  let byProp = store.get(target)
  if (byProp === undefined) { if (!create) return undefined; byProp = new Map(); store.set(target, byProp) }
  let data = byProp.get(prop)
  if (data === undefined && create) { data = new Map(); byProp.set(prop, data) }
  return data
}

const R = Reflect as unknown as Record<string, unknown>
if (typeof R.getMetadata !== 'function') {
  const defineMetadata = (key: unknown, value: unknown, target: Target, prop?: string | symbol): void => { own(target, prop, true)?.set(key, value) }
  const getOwnMetadata = (key: unknown, target: Target, prop?: string | symbol): unknown => own(target, prop, false)?.get(key)
  const getMetadata = (key: unknown, target: Target, prop?: string | symbol): unknown => {
    for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target | null) {
      const data = own(t, prop, false)
      if (data?.has(key) === true) return data.get(key)
    }
    return undefined
  }
  Object.assign(R, {
    defineMetadata,
    getOwnMetadata,
    getMetadata,
    hasMetadata: (key: unknown, target: Target, prop?: string | symbol): boolean => getMetadata(key, target, prop) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: Target, prop?: string | symbol): void => { defineMetadata(key, value, target, prop) }
  })
}
