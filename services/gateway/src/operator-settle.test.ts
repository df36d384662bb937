import type { Connection } from "@gerbang/shared";
import { connectTestDatabase } from "../../../test/database";
import { crashedTransfer } from "./gateway-harness";
import { statusOf, toTransferMessage } from "./transfer-view";
import type { AttemptAnswer } from "./bank-inquiries";
import type { StatusAnswer } from "./bank-outcome";
import { checkWithBank, LEASE_CLOCK_ALLOWANCE_MS, SettlementInDoubt, SettlementRefused, settleByOperator, type OperatorSettlement } from "./operator-settle";
import type { TransferState } from "./transfer-states";
import { createTransferStore, type TransferRecord, type TransferStore } from "./transfer-store";

// A person's settlement of a transfer in MANUAL_REVIEW, against the real database: only from
// MANUAL_REVIEW, only with who, why (and for SUCCESS the bank's reference), one compare-and-set.

let connection: Connection;
let ledger: TransferStore;
beforeAll(async () => {
  connection = await connectTestDatabase("operator_settle");
  ledger = await createTransferStore(connection);
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

let seq = 0;
/** A transfer to 014 in `state`: recorded SENDING as the request path does, then moved there in one step, as the resolver would. */
async function transferIn(state: TransferState): Promise<TransferRecord> {
  seq += 1;
  const sentAt = new Date(Date.now() - 3_600_000);
  const record = crashedTransfer({
    referenceNumber: `OPS${Date.now()}${seq}`, clientReferenceNo: `OPS-${Date.now()}-${seq}`, amount: String(20_000 + seq), sentAt,
    leaseOwner: "gateway-a", leaseUntil: sentAt, nextCheckAt: sentAt,
  });
  expect(await ledger.insert(record)).toBe("inserted");
  const sending = (await ledger.findByReferenceNumber(record.referenceNumber))!;
  if (state === "SENDING") return sending;
  return (await ledger.transition(sending, state, state === "MANUAL_REVIEW" ? { reviewReason: "unresolved 3600 s after it was sent" } : {}, new Date()))!;
}

/** The bank's answers as the settlement's last check gets them (bank-inquiries.ts asks the real ones; see scripts/settle.test.ts). */
const bankSays = (...statuses: StatusAnswer[]) => (t: TransferRecord): Promise<AttemptAnswer[]> =>
  Promise.resolve(t.attempts.map((a, i) => ({ label: `${a.partnerBankCode}#${a.attempt}`, answer: statuses[i] ?? { status: "NOT_FOUND", bankCode: "ESB-82-027" } })));
/** The usual case of MANUAL_REVIEW: the bank's inquiry has no record of the attempt. */
const noRecord = bankSays();
const using = (store: TransferStore, askBank = noRecord) => ({ ledger: store, askBank });

const decide = (t: TransferRecord, over: Partial<OperatorSettlement> = {}, askBank = noRecord) =>
  settleByOperator(using(ledger, askBank), { referenceNumber: t.referenceNumber, state: "FAILED", operator: "siti.ops", reason: "BCA statement 27 Nov: no debit", ...over }, new Date());

describe("an operator settles a transfer in MANUAL_REVIEW", () => {
  it("as FAILED: final, who and why kept on it, the review reason too, the app shown the reason", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const settled = await decide(t);
    expect(settled).toMatchObject({
      state: "FAILED", reviewReason: "unresolved 3600 s after it was sent",
      settledBy: { operator: "siti.ops", reason: "BCA statement 27 Nov: no debit" },
      bankResponseMessage: "settled by an operator after checking with the bank: BCA statement 27 Nov: no debit",
    });
    expect([settled.nextCheckAt, settled.leaseOwner, settled.leaseUntil]).toEqual([undefined, undefined, undefined]);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(settled);
    // The app is told a person decided: neither the bank's decline (002) nor a proven "not sent" (003).
    expect(statusOf(settled)).toEqual({ statusCode: "004", message: "Transfer failed: settled by an operator after checking with the bank (bankResponseMessage says why)" });
    expect(toTransferMessage(settled)).toMatchObject({ status: "FAILED", bankResponseMessage: settled.bankResponseMessage });
  });

  it("as SUCCESS, with the bank's reference of the booking", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const settled = await decide(t, { state: "SUCCESS", bankReference: "PPU-778812", reason: "BCA desk: booked 10:02" });
    expect(settled).toMatchObject({ state: "SUCCESS", bankReference: "PPU-778812", settledBy: { operator: "siti.ops" } });
    expect(statusOf(settled).statusCode).toBe("000");
  });

  it("the same decision again (a re-run after \"outcome unknown\") is answered with the recorded one, nothing written; any other is refused", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const settled = await decide(t);
    expect(await decide(t)).toEqual(settled);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(settled); // same revision: no write
    for (const other of [{ reason: "BCA desk: no debit" }, { operator: "budi.ops" }, { state: "SUCCESS", bankReference: "PPU-1" }]) {
      await expect(decide(t, other)).rejects.toThrow(`is FAILED, not MANUAL_REVIEW: final states never change`);
    }
    const booked = await decide(await transferIn("MANUAL_REVIEW"), { state: "SUCCESS", bankReference: "PPU-2", reason: "booked" });
    expect(await decide(booked, { state: "SUCCESS", bankReference: "PPU-2", reason: "booked" })).toEqual(booked);
    await expect(decide(booked, { state: "SUCCESS", bankReference: "PPU-3", reason: "booked" })).rejects.toThrow("final states never change");
  });

  it("once: a decision taken on what was read before another write landed is refused (compare-and-set)", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const settled = await decide(t); // another person, or the bank's answer, gets there first
    // This one read the transfer before that write: it still saw MANUAL_REVIEW.
    const readEarlier: TransferStore = { ...ledger, findByReferenceNumber: () => Promise.resolve(t) };
    await expect(settleByOperator(using(readEarlier), { referenceNumber: t.referenceNumber, state: "SUCCESS", operator: "budi.ops", reason: "booked", bankReference: "PPU-1" }, new Date()))
      .rejects.toThrow(new SettlementRefused(`transfer ${t.referenceNumber} changed meanwhile (the bank's answer may have settled it); look at it again`));
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(settled);
  });
});

describe("what an operator cannot do (refused, nothing changed)", () => {
  it.each<[TransferState, string]>([
    ["SENDING", "the resolver is still settling it with the bank"],
    ["PENDING", "the resolver is still settling it with the bank"],
    ["FAILED", "final states never change"],
    ["SUCCESS", "final states never change"],
  ])("settle a transfer in %s: %s", async (state, why) => {
    const t = await transferIn(state);
    await expect(decide(t, { state: state === "FAILED" ? "SUCCESS" : "FAILED", ...(state === "FAILED" ? { bankReference: "X" } : {}) }))
      .rejects.toThrow(`transfer ${t.referenceNumber} is ${state}, not MANUAL_REVIEW: ${why}`);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
  });

  it("settle a transfer while a resolver asks the bank about it (its lease runs): the bank's answer may be on its way", async () => {
    const reviewed = await transferIn("MANUAL_REVIEW");
    const leaseUntil = new Date(Date.now() + 30_000);
    await connection.collection("transfers").updateOne({ _id: reviewed.referenceNumber } as never, { $set: { leaseOwner: "gateway-b", leaseUntil } });
    const t = (await ledger.findByReferenceNumber(reviewed.referenceNumber))!;
    const after = new Date(leaseUntil.getTime() + LEASE_CLOCK_ALLOWANCE_MS).toISOString();
    const refusal = new SettlementRefused(`transfer ${t.referenceNumber} may be being asked about at the bank right now (a gateway held it until ${leaseUntil.toISOString()}, on its clock); look at it again after ${after}`);
    await expect(decide(t)).rejects.toThrow(refusal);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
  });

  it("settle a transfer whose resolver's lease ended 30 s ago on its clock (this host's may run ahead of it)", async () => {
    const reviewed = await transferIn("MANUAL_REVIEW");
    await connection.collection("transfers").updateOne({ _id: reviewed.referenceNumber } as never, { $set: { leaseOwner: "gateway-b", leaseUntil: new Date(Date.now() - 30_000) } });
    const t = (await ledger.findByReferenceNumber(reviewed.referenceNumber))!;
    await expect(decide(t)).rejects.toThrow(/may be being asked about at the bank right now/);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
  });

  it.each<[string, Partial<OperatorSettlement>, string]>([
    ["no reference", { referenceNumber: " " }, "name the transfer: its referenceNumber (GRB...)"],
    ["another state", { state: "PENDING" }, 'the state must be SUCCESS or FAILED, not "PENDING"'],
    ["no operator", { operator: "  " }, "say who decides"],
    ["no reason", { reason: "" }, "give the reason: what the bank said, and where"],
    ["SUCCESS without the bank's reference", { state: "SUCCESS" }, "SUCCESS needs the bank's reference of the booking"],
    ["FAILED with a bank reference", { bankReference: "PPU-1" }, "a FAILED transfer has no bank reference"],
  ])("settle with %s", async (_label, over, message) => {
    const t = await transferIn("MANUAL_REVIEW");
    await expect(decide(t, over)).rejects.toThrow(new SettlementRefused(message));
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
  });

  it("settle a transfer that does not exist", async () => {
    await expect(settleByOperator(using(ledger), { referenceNumber: "GRBNOSUCHTRANSFER", state: "FAILED", operator: "a", reason: "b" }, new Date()))
      .rejects.toThrow("no transfer GRBNOSUCHTRANSFER");
  });
});

describe("a database failure during a settlement", () => {
  it("while reading: a plain error, nothing was written", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    const failing: TransferStore = { ...ledger, findByReferenceNumber: () => Promise.reject(new Error("connection closed")) };
    const failure = await settleByOperator(using(failing), { referenceNumber: t.referenceNumber, state: "FAILED", operator: "a", reason: "b" }, new Date()).catch((error: unknown) => error);
    expect([failure instanceof SettlementInDoubt, failure instanceof SettlementRefused, (failure as Error).message]).toEqual([false, false, "connection closed"]);
    expect((await ledger.findByReferenceNumber(t.referenceNumber))?.state).toBe("MANUAL_REVIEW");
  });

  it("while writing: SettlementInDoubt, never read as \"nothing changed\" (the write may have landed)", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    // The write lands, then the answer is lost: exactly the case an operator must not be told "nothing changed".
    const lostAnswer: TransferStore = { ...ledger, transition: async (...args) => { await ledger.transition(...args); throw new Error("socket timed out"); } };
    const failure = await settleByOperator(using(lostAnswer), { referenceNumber: t.referenceNumber, state: "FAILED", operator: "a", reason: "b" }, new Date()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SettlementInDoubt);
    expect(failure).not.toBeInstanceOf(SettlementRefused);
    expect((failure as Error).message).toMatch(/socket timed out\): it may or may not be recorded/);
    expect((await ledger.findByReferenceNumber(t.referenceNumber))?.state).toBe("FAILED");
  });
});

describe("the settlement's last check with the bank", () => {
  const booked: StatusAnswer = { status: "SUCCESS", bankCode: "00", bankReference: "PPU-778812" };
  const said = (...answers: StatusAnswer[]): AttemptAnswer[] => answers.map((answer, i) => ({ label: `014#${i + 1}`, answer }));

  const refunded: StatusAnswer = { status: "PENDING", bankCode: "04", bankMessage: "refunded at BCA (Refund): not a state this gateway settles; a person decides" };
  it.each<[string, "SUCCESS" | "FAILED", string, AttemptAnswer[], RegExp | undefined]>([
    ["FAILED over a booking", "FAILED", "", said(booked), /the bank booked it: 014#1 SUCCESS \(00\), reference PPU-778812/],
    ["FAILED over a booking of an earlier attempt", "FAILED", "", said(booked, { status: "NOT_FOUND" }), /the bank booked it: 014#1/],
    ["FAILED while the bank still works on it", "FAILED", "", said({ status: "PENDING", bankCode: "ESB-82-025" }), /still has it pending: 014#1 PENDING \(ESB-82-025\) \(if the bank confirmed, by other means, that it will never book it, .*NEVER_BOOKED=yes\)/],
    ["FAILED while a later attempt is pending", "FAILED", "", said({ status: "NOT_FOUND" }, { status: "PENDING", bankCode: "P" }), /still has it pending: 014#2 PENDING \(P\)/],
    ["FAILED over BCA's refunded (04), without the person's confirmation", "FAILED", "", said(refunded), /still has it pending: 014#1 PENDING \(04\)/],
    ["FAILED over a BCA id holding another transfer (not ours: what a person is for)", "FAILED", "", said({ status: "PENDING", bankCode: "ESB-82-003", bankMessage: "TransactionID collides with another transfer" }), undefined],
    ["FAILED where the bank has no record", "FAILED", "", said({ status: "NOT_FOUND" }), undefined],
    ["FAILED where the bank gave no usable answer (its booking cannot be ruled out)", "FAILED", "", said({ status: "UNKNOWN", bankMessage: "ESB-99-999" }), /could not be asked: 014#1 UNKNOWN ESB-99-999 .*NEVER_BOOKED=yes/],
    ["FAILED with the bank services down", "FAILED", "", said({ status: "NO_ANSWER", error: "no answer within 2000 ms" }), /could not be asked: 014#1 NO_ANSWER no answer within 2000 ms/],
    ["FAILED with one attempt pending and another not asked", "FAILED", "", said({ status: "NOT_SENT", error: "no partner 014 in the registry" }, { status: "PENDING", bankCode: "P" }), /still has it pending: 014#2 PENDING \(P\); the bank could not be asked: 014#1 NOT_SENT no partner 014/],
    ["FAILED over the bank's decline", "FAILED", "", said({ status: "FAILED", bankCode: "ESB-82-010" }), undefined],
    ["SUCCESS with the bank's own reference", "SUCCESS", "PPU-778812", said(booked), undefined],
    ["SUCCESS with another reference than the bank's booking", "SUCCESS", "PPU-778821", said(booked), /has reference "PPU-778812", not "PPU-778821"/],
    ["SUCCESS with a reference matching neither of two bookings", "SUCCESS", "PPU-9", said(booked, { status: "SUCCESS", bankCode: "00", bankReference: "PPU-2" }), /has reference "PPU-778812", "PPU-2", not "PPU-9"/],
    ["SUCCESS with the reference of one of two bookings (reconcile names the double booking)", "SUCCESS", "PPU-2", said(booked, { status: "SUCCESS", bankCode: "00", bankReference: "PPU-2" }), undefined],
    ["SUCCESS over a booking that gives no reference", "SUCCESS", "PPU-1", said({ status: "SUCCESS", bankCode: "00" }), undefined],
    ["SUCCESS over the bank's decline of the latest attempt", "SUCCESS", "PPU-1", said({ status: "NOT_FOUND" }, { status: "FAILED", bankCode: "ESB-82-010", bankMessage: "insufficient funds" }), /declined the latest attempt: 014#2 FAILED \(ESB-82-010\) insufficient funds/],
    ["SUCCESS over a decline of the latest attempt while an earlier one could not be asked (it may be the booking)", "SUCCESS", "PPU-1", said({ status: "UNKNOWN" }, { status: "FAILED", bankCode: "ESB-82-010" }), undefined],
    ["SUCCESS where the bank has no record (a statement shows it)", "SUCCESS", "PPU-1", said({ status: "NOT_FOUND" }), undefined],
  ])("%s", (_case, state, bankReference, answers, refused) => {
    const found = checkWithBank(state, bankReference, answers).refusal;
    if (refused === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(refused);
  });

  it("settles FAILED over a pending or unasked attempt only when the person confirmed the bank will never book it, keeping those answers; never over a booking", () => {
    expect(checkWithBank("FAILED", "", said({ status: "NO_ANSWER" }, refunded), true)).toEqual({ overAnswers: "014#2 PENDING (04), 014#1 NO_ANSWER" });
    expect(checkWithBank("FAILED", "", said({ status: "NOT_FOUND" }), true)).toEqual({});
    expect(checkWithBank("FAILED", "", said(booked, refunded), true).refusal).toMatch(/the bank booked it/);
  });

  it("refuses, writing nothing, a decision the bank's answers contradict: asked after the ledger's checks, before the write", async () => {
    const t = await transferIn("MANUAL_REVIEW");
    await expect(decide(t, {}, bankSays(booked))).rejects.toThrow(new SettlementRefused(
      `FAILED for transfer ${t.referenceNumber} is refused on what the bank says now: the bank booked it: 014#1 SUCCESS (00), reference PPU-778812`,
    ));
    await expect(decide(t, {}, bankSays(refunded))).rejects.toThrow(/refused on what the bank says now: the bank still has it pending: 014#1 PENDING \(04\)/);
    expect(await ledger.findByReferenceNumber(t.referenceNumber)).toEqual(t);
    // A transfer that is not in MANUAL_REVIEW is refused before the bank is asked.
    const asked: string[] = [];
    const final = await transferIn("FAILED");
    await expect(decide(final, {}, (x) => { asked.push(x.referenceNumber); return noRecord(x); })).rejects.toThrow(/final states never change/);
    expect(asked).toEqual([]);
    // Confirmed: settled over the pending answer, which stays on the transfer.
    expect(await decide(t, { neverBooked: true, reason: "BCA desk: refunded 27 Nov" }, bankSays(refunded))).toMatchObject({
      state: "FAILED", settledBy: { operator: "siti.ops", reason: "BCA desk: refunded 27 Nov", overBankAnswers: "014#1 PENDING (04)" },
    });
    await expect(decide(await transferIn("MANUAL_REVIEW"), { state: "SUCCESS", bankReference: "PPU-1", neverBooked: true })).rejects.toThrow(/applies to FAILED only/);
  });
});
