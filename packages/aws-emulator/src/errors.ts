/** The one error type of the emulator: an AWS error code, message, HTTP status and fault side. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** 400 ValidationError, as STS returns for bad parameters. */
export const validationError = (message: string): AwsError => new AwsError(400, 'ValidationError', message);
