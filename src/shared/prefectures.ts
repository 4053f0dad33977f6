// The 47 prefectures (都道府県) in JIS X 0401 order, for address forms and territory rules.
// Names and readings match Japan Post's KEN_ALL data; `en` is the usual English spelling without macrons.
export type Prefecture = { code: string; name: string; kana: string; en: string };

export const PREFECTURES: readonly Prefecture[] = [
  { code: '01', name: '北海道', kana: 'ほっかいどう', en: 'Hokkaido' },
  { code: '02', name: '青森県', kana: 'あおもりけん', en: 'Aomori' },
  { code: '03', name: '岩手県', kana: 'いわてけん', en: 'Iwate' },
  { code: '04', name: '宮城県', kana: 'みやぎけん', en: 'Miyagi' },
  { code: '05', name: '秋田県', kana: 'あきたけん', en: 'Akita' },
  { code: '06', name: '山形県', kana: 'やまがたけん', en: 'Yamagata' },
  { code: '07', name: '福島県', kana: 'ふくしまけん', en: 'Fukushima' },
  { code: '08', name: '茨城県', kana: 'いばらきけん', en: 'Ibaraki' },
  { code: '09', name: '栃木県', kana: 'とちぎけん', en: 'Tochigi' },
  { code: '10', name: '群馬県', kana: 'ぐんまけん', en: 'Gunma' },
  { code: '11', name: '埼玉県', kana: 'さいたまけん', en: 'Saitama' },
  { code: '12', name: '千葉県', kana: 'ちばけん', en: 'Chiba' },
  { code: '13', name: '東京都', kana: 'とうきょうと', en: 'Tokyo' },
  { code: '14', name: '神奈川県', kana: 'かながわけん', en: 'Kanagawa' },
  { code: '15', name: '新潟県', kana: 'にいがたけん', en: 'Niigata' },
  { code: '16', name: '富山県', kana: 'とやまけん', en: 'Toyama' },
  { code: '17', name: '石川県', kana: 'いしかわけん', en: 'Ishikawa' },
  { code: '18', name: '福井県', kana: 'ふくいけん', en: 'Fukui' },
  { code: '19', name: '山梨県', kana: 'やまなしけん', en: 'Yamanashi' },
  { code: '20', name: '長野県', kana: 'ながのけん', en: 'Nagano' },
  { code: '21', name: '岐阜県', kana: 'ぎふけん', en: 'Gifu' },
  { code: '22', name: '静岡県', kana: 'しずおかけん', en: 'Shizuoka' },
  { code: '23', name: '愛知県', kana: 'あいちけん', en: 'Aichi' },
  { code: '24', name: '三重県', kana: 'みえけん', en: 'Mie' },
  { code: '25', name: '滋賀県', kana: 'しがけん', en: 'Shiga' },
  { code: '26', name: '京都府', kana: 'きょうとふ', en: 'Kyoto' },
  { code: '27', name: '大阪府', kana: 'おおさかふ', en: 'Osaka' },
  { code: '28', name: '兵庫県', kana: 'ひょうごけん', en: 'Hyogo' },
  { code: '29', name: '奈良県', kana: 'ならけん', en: 'Nara' },
  { code: '30', name: '和歌山県', kana: 'わかやまけん', en: 'Wakayama' },
  { code: '31', name: '鳥取県', kana: 'とっとりけん', en: 'Tottori' },
  { code: '32', name: '島根県', kana: 'しまねけん', en: 'Shimane' },
  { code: '33', name: '岡山県', kana: 'おかやまけん', en: 'Okayama' },
  { code: '34', name: '広島県', kana: 'ひろしまけん', en: 'Hiroshima' },
  { code: '35', name: '山口県', kana: 'やまぐちけん', en: 'Yamaguchi' },
  { code: '36', name: '徳島県', kana: 'とくしまけん', en: 'Tokushima' },
  { code: '37', name: '香川県', kana: 'かがわけん', en: 'Kagawa' },
  { code: '38', name: '愛媛県', kana: 'えひめけん', en: 'Ehime' },
  { code: '39', name: '高知県', kana: 'こうちけん', en: 'Kochi' },
  { code: '40', name: '福岡県', kana: 'ふくおかけん', en: 'Fukuoka' },
  { code: '41', name: '佐賀県', kana: 'さがけん', en: 'Saga' },
  { code: '42', name: '長崎県', kana: 'ながさきけん', en: 'Nagasaki' },
  { code: '43', name: '熊本県', kana: 'くまもとけん', en: 'Kumamoto' },
  { code: '44', name: '大分県', kana: 'おおいたけん', en: 'Oita' },
  { code: '45', name: '宮崎県', kana: 'みやざきけん', en: 'Miyazaki' },
  { code: '46', name: '鹿児島県', kana: 'かごしまけん', en: 'Kagoshima' },
  { code: '47', name: '沖縄県', kana: 'おきなわけん', en: 'Okinawa' },
];

const BY_CODE = new Map(PREFECTURES.map((p) => [p.code, p]));
const BY_NAME = new Map(PREFECTURES.map((p) => [p.name, p]));

/** Prefecture by JIS code ('13' or 13). */
export function prefectureByCode(code: string | number): Prefecture | undefined {
  return BY_CODE.get(String(code).padStart(2, '0'));
}

/** Prefecture by its full name ('東京都'); NFKC-normalised so half-width input still matches. */
export function prefectureByName(name: string): Prefecture | undefined {
  return BY_NAME.get(name.normalize('NFKC').trim());
}
