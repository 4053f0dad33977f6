import nodemailer from 'nodemailer';

/** How the connection to an SMTP server is secured: none (plain, e.g. a local relay), STARTTLS, or TLS from the start. */
export type SmtpSecurity = 'none' | 'starttls' | 'tls';

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  user?: string | null;
  password?: string | null;
}

/** A nodemailer transport for one SMTP server, with timeouts short enough for a request to wait on. */
export function createSmtpTransport(s: SmtpSettings) {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

export type SmtpTransport = ReturnType<typeof createSmtpTransport>;
