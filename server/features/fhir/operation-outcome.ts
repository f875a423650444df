/** FHIR OperationOutcome: how every failure of the `/fhir` routes is answered. */

export type IssueCode = 'invalid' | 'not-supported' | 'too-costly' | 'login' | 'forbidden' | 'not-found' | 'exception'

export interface OperationOutcome {
  resourceType: 'OperationOutcome'
  issue: Array<{ severity: 'error' | 'fatal', code: IssueCode, diagnostics: string }>
}

export function operationOutcome (code: IssueCode, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: code === 'exception' ? 'fatal' : 'error', code, diagnostics }] }
}

/** A failure a route throws: the plugin's error handler answers it as an OperationOutcome. */
export class FhirError extends Error {
  readonly statusCode: number
  readonly issueCode: IssueCode
  constructor (statusCode: number, issueCode: IssueCode, message: string) {
    super(message)
    this.name = 'FhirError'
    this.statusCode = statusCode
    this.issueCode = issueCode
  }
}
