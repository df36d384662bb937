import { appToken, LOCAL, MODAL, OTHER, startHarness, type Harness } from "./gateway-harness";

interface Envelope {
  statusCode: string;
  message: string;
  replayed?: boolean;
  data: null | Record<string, string>;
}

let h: Harness;
beforeAll(async () => { h = await startHarness("gw_rest"); });
afterAll(async () => { await h.close(); });
beforeEach(() => { for (const bank of Object.values(h.banks)) bank.setMode("SUCCESS"); });

let seq = 0;
const transferBody = (over: Record<string, string> = {}) => ({
  clientReferenceNo: `REST-${Date.now()}-${++seq}`, beneficiaryBankCode: "014", beneficiaryAccountNumber: "0201245681",
  beneficiaryAccountName: "KEN AROK", amount: "2475000", remark: "test", ...over,
});

async function post(body: unknown, token = appToken({ req: body as never }), headers: Record<string, string> = {}): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${h.baseUrl}/api/v1/transfers`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Envelope };
}

async function get(path: string, token = appToken()): Promise<{ status: number; json: Envelope }> {
  const res = await fetch(`${h.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Envelope };
}

describe("REST transfers", () => {
  it("sends a transfer to 014 straight to BCA: 200, statusCode 000, usage TRANSFER", async () => {
    const body = transferBody();
    const { status, json } = await post(body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ statusCode: "000", message: "Success transfer!", replayed: false });
    expect(json.data).toMatchObject({ status: "SUCCESS", bankCode: "014", usage: "TRANSFER", accountNumber: "0201240003", accountName: "GERBANG LOCAL", beneficiaryAccountNumber: "0201245681", amount: "2475000", currency: "IDR" });
    const calls = h.banks["014"].calls.filter((c) => c.referenceNumber === json.data?.referenceNumber);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ attempt: 1, sourceAccountNumber: "0201240003", beneficiaryBankCode: "014", amount: "2475000", currency: "IDR" });
    expect(calls[0]!.transactionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("sends a non-partner bank (002) interbank through BNI (009), the smallest priority", async () => {
    const { status, json } = await post(transferBody({ beneficiaryBankCode: "002", beneficiaryAccountNumber: "123456789012" }));
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ bankCode: "009", usage: "TRANSFER_INTERBANK", accountNumber: "0115470003" });
    expect(h.banks["009"].calls.at(-1)).toMatchObject({ usage: 2, beneficiaryBankCode: "002", beneficiaryBankName: expect.stringContaining("Rakyat") as string });
  });

  it("sends Mandiri's Bank Indonesia code 008 to the 800 partner as TRANSFER", async () => {
    const { json } = await post(transferBody({ beneficiaryBankCode: "008", beneficiaryAccountNumber: "1370098765431" }));
    expect(json.data).toMatchObject({ bankCode: "800", usage: "TRANSFER" });
  });
});
