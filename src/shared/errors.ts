/** One table of error codes: HTTP status and the message in each language. */
export const errorCodes = {
  validation_failed: { status: 400, ja: '入力内容に誤りがあります。', en: 'The input is not valid.' },
  bad_request: { status: 400, ja: 'リクエストが正しくありません。', en: 'The request is not valid.' },
  unauthenticated: { status: 401, ja: 'ログインしてください。', en: 'Please sign in.' },
  invalid_credentials: {
    status: 401,
    ja: 'メールアドレスまたはパスワードが正しくありません。',
    en: 'The email address or password is incorrect.',
  },
  too_many_attempts: {
    status: 429,
    ja: '試行回数が多すぎます。しばらくしてからもう一度お試しください。',
    en: 'Too many attempts. Please wait a while and try again.',
  },
  csrf_failed: {
    status: 403,
    ja: 'セキュリティトークンが無効です。ページを再読み込みしてください。',
    en: 'The security token is invalid. Please reload the page.',
  },
  forbidden: { status: 403, ja: 'この操作を行う権限がありません。', en: 'You do not have permission to do this.' },
  insufficient_scope: {
    status: 403,
    ja: 'この API トークンには必要なスコープがありません。',
    en: 'This API token lacks the required scope.',
  },
  not_found: { status: 404, ja: '見つかりません。', en: 'Not found.' },
  conflict: {
    status: 409,
    ja: '他のユーザーが先に更新しました。最新の内容を確認してください。',
    en: 'Someone else changed this first. Please review the latest version.',
  },
  duplicate_suspected: {
    status: 409,
    ja: '同じ人物・会社がすでに登録されている可能性があります。',
    en: 'This looks like a record that already exists.',
  },
  already_set_up: { status: 409, ja: 'このシステムはすでに設定済みです。', en: 'This system is already set up.' },
  email_taken: {
    status: 409,
    ja: 'このメールアドレスはすでに使われています。',
    en: 'This email address is already in use.',
  },
  invitation_invalid: {
    status: 410,
    ja: '招待リンクが無効か、期限切れです。',
    en: 'The invitation link is invalid or has expired.',
  },
  wrong_password: { status: 400, ja: '現在のパスワードが正しくありません。', en: 'The current password is incorrect.' },
  last_admin: {
    status: 409,
    ja: '最後の管理者の権限は変更できません。',
    en: 'The last administrator cannot be demoted or disabled.',
  },
  password_too_common: {
    status: 400,
    ja: 'このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください。',
    en: 'This password is too common and easy to guess. Please choose another one.',
  },
  otp_invalid: {
    status: 401,
    ja: '確認コードが正しくないか、すでに使われています。認証アプリの新しいコードを入力してください。',
    en: 'The code is wrong or was already used. Enter the new code from your authenticator app.',
  },
  sign_in_expired: {
    status: 401,
    ja: 'ログインの手続きの有効期限が切れました。もう一度パスワードから入力してください。',
    en: 'This sign-in has expired. Please start again with your password.',
  },
  two_factor_state: {
    status: 409,
    ja: '2 段階認証の状態が変わっています。画面を再読み込みしてください。',
    en: 'Two-factor authentication is not in the expected state. Please reload the page.',
  },
  payload_too_large: { status: 413, ja: 'データが大きすぎます。', en: 'The request is too large.' },
  unsupported_media_type: {
    status: 415,
    ja: 'このデータ形式には対応していません。',
    en: 'This content type is not supported.',
  },
  rate_limited: {
    status: 429,
    ja: 'リクエストが多すぎます。しばらくお待ちください。',
    en: 'Too many requests. Please wait a moment.',
  },
  mail_not_configured: {
    status: 409,
    ja: 'メール送信 (SMTP) が設定されていません。管理者にメール設定を依頼してください。',
    en: 'Outgoing mail (SMTP) is not configured. Ask an administrator to set it up.',
  },
  mail_send_failed: {
    status: 502,
    ja: 'メールサーバーが送信を受け付けませんでした。設定と宛先を確認してください。',
    en: 'The mail server did not accept the message. Check the settings and the recipients.',
  },
  mail_unknown_merge_field: {
    status: 422,
    ja: 'テンプレートに未対応の差し込み項目があります。',
    en: 'The template uses a merge field that does not exist.',
  },
  mail_imap_not_configured: {
    status: 409,
    ja: 'IMAP の受信設定 (サーバー・ユーザー名・パスワード) が完了していません。',
    en: 'IMAP is not set up: a server, a user name and a password are needed.',
  },
  mail_imap_auth_failed: {
    status: 422,
    ja: 'IMAP サーバーにログインできませんでした。ユーザー名とパスワードを確認してください。',
    en: 'The IMAP server refused the login. Check the user name and password.',
  },
  mail_imap_connection_failed: {
    status: 422,
    ja: 'IMAP サーバーに接続できませんでした。サーバー名・ポート・TLS の設定を確認してください。',
    en: 'Could not connect to the IMAP server. Check the server name, port and TLS settings.',
  },
  mail_imap_mailbox_not_found: {
    status: 422,
    ja: 'IMAP サーバーに指定のメールボックスがありません。メールボックス名を確認してください。',
    en: 'The mailbox does not exist on the IMAP server. Check its name.',
  },
  mail_host_not_allowed: {
    status: 422,
    ja: 'このメールサーバーには接続できません。社内ネットワーク・ループバック・リンクローカルなどのアドレスは、運用者が MAIL_ALLOW_PRIVATE_HOSTS で許可した場合だけ使えます。',
    en: 'This mail server cannot be used: internal addresses (loopback, private, link-local networks) are refused unless the operator allows them in MAIL_ALLOW_PRIVATE_HOSTS.',
  },
  mail_connection_failed: {
    status: 422,
    ja: 'メールサーバーに接続できませんでした。サーバー名とポート番号を確認してください。',
    en: 'Could not connect to the mail server. Check the server name and port.',
  },
  mail_timeout: {
    status: 422,
    ja: 'メールサーバーが時間内に応答しませんでした。サーバー名・ポート番号・暗号化の設定を確認してください。',
    en: 'The mail server did not answer in time. Check the server name, port and security setting.',
  },
  mail_tls_failed: {
    status: 422,
    ja: 'メールサーバーとの暗号化 (TLS) 接続に失敗しました。暗号化の設定とサーバー証明書を確認してください。',
    en: 'The secure (TLS) connection to the mail server failed. Check the security setting and the server certificate.',
  },
  mail_auth_failed: {
    status: 422,
    ja: 'メールサーバーにログインできませんでした。ユーザー名とパスワードを確認してください。',
    en: 'The mail server refused the login. Check the user name and password.',
  },
  mail_no_recipient: {
    status: 422,
    ja: '宛先のメールアドレスがありません。',
    en: 'There is no recipient email address.',
  },
  attachment_too_large: {
    status: 413,
    ja: '添付ファイルが大きすぎます。',
    en: 'The attachment is too large.',
  },
  attachment_type_blocked: {
    status: 415,
    ja: 'この種類のファイルは添付できません。',
    en: 'Files of this type cannot be attached.',
  },
  sku_taken: {
    status: 409,
    ja: 'この SKU (品番) はすでに使われています。',
    en: 'This SKU is already in use.',
  },
  stage_in_use: {
    status: 409,
    ja: '商談が残っているステージは削除できません。先に商談を移動してください。',
    en: 'A stage that still has deals cannot be removed. Move its deals first.',
  },
  lead_not_convertible: {
    status: 409,
    ja: '取引開始できるのは対応中の見込み客 (新規・対応中・有望) だけです。変換済み・対象外は取引開始できません。',
    en: 'Only an open lead (new, working or qualified) can be converted, not one already converted or disqualified.',
  },
  order_number_taken: {
    status: 409,
    ja: 'この注文番号はすでに使われています。',
    en: 'This order number is already in use.',
  },
  webhook_signature_invalid: {
    status: 401,
    ja: '署名が正しくないため受け付けませんでした。',
    en: 'The signature is not valid; nothing was stored.',
  },
  webhook_timestamp_expired: {
    status: 401,
    ja: 'タイムスタンプが古すぎるか未来のため受け付けませんでした (許容 5 分)。',
    en: 'The timestamp is too old or in the future (5 minutes allowed); nothing was stored.',
  },
  invalid_text: {
    status: 400,
    ja: '保存できない文字 (NUL 文字または対になっていないサロゲート) が含まれています。',
    en: 'The input contains characters that cannot be stored (a NUL character or an unpaired surrogate).',
  },
  invalid_postal_code: {
    status: 400,
    ja: '郵便番号は 7 桁の数字で入力してください（例: 100-0001）。',
    en: 'A postal code has 7 digits (for example 100-0001).',
  },
  postal_code_not_found: {
    status: 404,
    ja: 'この郵便番号の住所は見つかりません（事業所の個別番号は収録されていません）。',
    en: 'No address has this postal code (codes of individual large offices are not included).',
  },
  currency_in_use: {
    status: 409,
    ja: '受注が登録済みのため、通貨は変更できません（顧客ごとの購買合計に 2 つの通貨が合算されてしまうため）。',
    en: 'The currency cannot change once orders are stored: customers’ purchase totals would add up two currencies.',
  },
  already_exists: {
    status: 409,
    ja: '同じ値のデータがすでに存在します。',
    en: 'A record with the same value already exists.',
  },
  reference_invalid: {
    status: 422,
    ja: '参照先のデータが存在しないか、他のデータから参照されています。',
    en: 'A referenced record does not exist, or other records still refer to this one.',
  },
  uri_too_long: { status: 414, ja: 'URL が長すぎます。', en: 'The URL is too long.' },
  headers_too_large: {
    status: 431,
    ja: 'リクエストヘッダーが大きすぎます。',
    en: 'The request headers are too large.',
  },
  unavailable: {
    status: 503,
    ja: 'データベースに一時的に接続できません。しばらくしてからもう一度お試しください。',
    en: 'The database is temporarily unavailable. Please try again shortly.',
  },
  internal: {
    status: 500,
    ja: 'サーバーで問題が発生しました。時間をおいて再度お試しください。',
    en: 'Something went wrong on the server. Please try again later.',
  },
} as const;

export type ErrorCode = keyof typeof errorCodes;
export type Locale = 'ja' | 'en';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorMessage(code: ErrorCode, locale: Locale): string {
  return errorCodes[code][locale];
}
