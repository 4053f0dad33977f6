import { z } from 'zod';

/** Sign-in steps after the password, two-factor (TOTP) management and sessions. */

/** The answer to a correct password: signed in, or one more step with the challenge it returns. */
export const loginResult = z.object({
  status: z.enum(['signed_in', 'totp_required', 'enrolment_required']),
  challenge: z.string().optional(),
});
export type LoginResult = z.infer<typeof loginResult>;

const otpCode = z
  .string()
  .trim()
  .transform((s) => s.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'six digits'));
const recoveryCode = z.string().trim().min(8).max(40);
const challengeToken = z.string().min(20).max(200);

export const loginTotpBody = z
  .object({ challenge: challengeToken, code: otpCode.optional(), recoveryCode: recoveryCode.optional() })
  .refine((b) => !!b.code !== !!b.recoveryCode, { message: 'code or recoveryCode', path: ['code'] });

export const loginEnrolBody = z.object({ challenge: challengeToken });
export const loginEnrolConfirmBody = z.object({ challenge: challengeToken, code: otpCode });

/** A new secret to add to an authenticator app: the otpauth:// URI, its QR code (SVG data URL) and the key to type. */
export const totpSetup = z.object({ secret: z.string(), uri: z.string(), qrCode: z.string() });
export const totpEnableBody = z.object({ code: otpCode });
export const recoveryCodesResult = z.object({ recoveryCodes: z.array(z.string()) });
export const totpDisableBody = z
  .object({ password: z.string().min(1).max(200), code: otpCode.optional(), recoveryCode: recoveryCode.optional() })
  .refine((b) => !!b.code !== !!b.recoveryCode, { message: 'code or recoveryCode', path: ['code'] });

export const securityStatus = z.object({
  twoFactorEnabled: z.boolean(),
  twoFactorEnabledAt: z.string().nullable(),
  recoveryCodesLeft: z.number(),
  twoFactorRequired: z.boolean(),
});
export type SecurityStatus = z.infer<typeof securityStatus>;

export const sessionInfo = z.object({
  id: z.uuid(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  remember: z.boolean(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;
