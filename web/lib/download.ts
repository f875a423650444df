/** Saves a blob as a file named `filename`, from memory (a blob URL: nothing more is sent to the server). */
export function saveFile (filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => { URL.revokeObjectURL(url) }, 1000)
}
