import { AppError } from '../../platform/http/errors.js';

/**
 * Length (10 to 200) is checked by the request schemas; here: the password must not be one of the ~49,000
 * most common passwords of breach corpora (the list zxcvbn-ts ships in @zxcvbn-ts/language-common), compared
 * without case, nor the user's own email address. Loaded on first use: it is only needed when a password is set.
 */
let common: Promise<Set<string>> | undefined;

function commonPasswords(): Promise<Set<string>> {
  common ??= import('@zxcvbn-ts/language-common').then(({ dictionary }) => new Set(dictionary['passwords-common']));
  return common;
}

export async function isCommonPassword(password: string): Promise<boolean> {
  return (await commonPasswords()).has(password.normalize('NFKC').toLowerCase());
}

/** Throws `password_too_common` naming the field, so the form can show it next to the input. */
export async function assertPasswordAllowed(password: string, options: { field: string; email?: string }): Promise<void> {
  const folded = password.normalize('NFKC').toLowerCase().trim();
  const email = options.email?.toLowerCase().trim();
  const ownAddress = !!email && (folded === email || folded === email.split('@')[0]);
  if (ownAddress || (await isCommonPassword(password))) {
    throw new AppError('password_too_common', { field: options.field });
  }
}
