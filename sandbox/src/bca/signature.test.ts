import { bcaSignature, bodyHash, relativeUrl, stringToSign } from "./signature";

// BCA's own documentation example (developer.bca.co.id, "Signature"), re-checked with
// python3 hmac/hashlib and `openssl dgst -sha256 -hmac`: the body is hashed with every
// whitespace removed, including the space inside "Transfer Test".
const BCA_SECRET = "22a2d25e-765d-41e1-8d29-da68dcb5698b";
// eslint-disable-next-line sonarjs/no-hardcoded-secrets -- the access token of BCA's published example, not a credential
const BCA_TOKEN = "lIWOt2p29grUo59bedBUrBY3pnzqQX544LzYPohcGHOuwn8AUEdUKS";
const BCA_TIMESTAMP = "2016-02-03T10:00:00.000+07:00";
const BCA_BODY = `{
    "CorporateID" : "BCAAPI2016",
        "SourceAccountNumber" : "0201245680",
        "TransactionID" : "00000001",
        "TransactionDate" : "2016-01-30",
        "ReferenceID" : "12345/PO/2016",
        "CurrencyCode" : "IDR",
        "Amount" : "100000.00",
        "BeneficiaryAccountNumber" : "0201245681",
        "Remark1" : "Transfer Test",
        "Remark2" : "Online Transfer"
    }`;

describe("X-BCA-Signature (BCA legacy HMAC-SHA256)", () => {
  it("matches BCA's published POST example", () => {
    expect(bodyHash(BCA_BODY)).toBe("e3cf5797ac4ac02f7dad89ed2c5f5615c9884b2d802a504e4aebb76f45b8bdfb");
    const parts = { method: "POST", path: "/banking/corporates/transfers", rawQuery: "", accessToken: BCA_TOKEN, body: BCA_BODY, timestamp: BCA_TIMESTAMP };
    expect(bcaSignature(BCA_SECRET, parts)).toBe("69ad66589ade078a30922a0848725cf153aecfcca82eba94e3270285b4a9c604");
  });

  it("matches BCA's published GET example, whose query is signed sorted by name", () => {
    const parts = {
      method: "GET", path: "/banking/v2/corporates/BCAAPI2016/accounts/0201245680/statements",
      rawQuery: "StartDate=2016-09-01&EndDate=2016-09-01", accessToken: BCA_TOKEN, body: "", timestamp: BCA_TIMESTAMP,
    };
    expect(stringToSign(parts)).toBe(
      "GET:/banking/v2/corporates/BCAAPI2016/accounts/0201245680/statements?EndDate=2016-09-01&StartDate=2016-09-01:" +
        `${BCA_TOKEN}:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:${BCA_TIMESTAMP}`,
    );
    expect(bcaSignature(BCA_SECRET, parts)).toBe("3ac124303746d222387d4398dddf33201a384aa22137aa08f4d9843c6f467a48");
  });

  it("matches vectors computed independently with python3 for the local credentials", () => {
    const body = '{"CorporateID":"GERBANGBCA","SourceAccountNumber":"0201240003","TransactionID":"00000042","TransactionDate":"2026-11-26","ReferenceID":"GB-42","CurrencyCode":"IDR","Amount":"150000.00","BeneficiaryAccountNumber":"0201245681","Remark1":"Bayar Sewa","Remark2":""}';
    const timestamp = "2026-11-26T10:00:00.000+07:00";
    expect(bodyHash(body)).toBe("5b6751b248ede903ded7852f73b059b96c2c3f55eaf9cb15d1bcb94faa13397b");
    expect(bcaSignature("bca-local-api-secret", { method: "POST", path: "/banking/corporates/transfers", rawQuery: "", accessToken: "tok-abc", body, timestamp }))
      .toBe("6bce2575d60e0a21f22d9402c0a335a34ed66ccd74648443dcc77b3ea65879ca");
    expect(bcaSignature("bca-local-api-secret", {
      method: "GET", path: "/banking/corporates/transfers/status/00000042", rawQuery: "TransferType=BCA&TransactionDate=2026-11-26",
      accessToken: "tok-abc", body: "", timestamp,
    })).toBe("582fea6d28dff8e6944c889e43a252c1bed99ad7f47a96ba370b059e960440c1");
  });

  it("changes when any signed part changes", () => {
    const base = { method: "POST", path: "/banking/corporates/transfers", rawQuery: "", accessToken: BCA_TOKEN, body: BCA_BODY, timestamp: BCA_TIMESTAMP };
    const reference = bcaSignature(BCA_SECRET, base);
    expect(bcaSignature(BCA_SECRET, { ...base, body: BCA_BODY.replace("100000.00", "100001.00") })).not.toBe(reference);
    expect(bcaSignature(BCA_SECRET, { ...base, timestamp: "2016-02-03T10:00:00.001+07:00" })).not.toBe(reference);
    expect(bcaSignature(BCA_SECRET, { ...base, accessToken: "other" })).not.toBe(reference);
    expect(bcaSignature(BCA_SECRET, { ...base, method: "PUT" })).not.toBe(reference);
    expect(bcaSignature("other-secret", base)).not.toBe(reference);
  });

  it("sorts query parameters by name and keeps values as received", () => {
    expect(relativeUrl("/p", "")).toBe("/p");
    expect(relativeUrl("/p", "b=2&a=1&c=%20x")).toBe("/p?a=1&b=2&c=%20x");
  });
});
