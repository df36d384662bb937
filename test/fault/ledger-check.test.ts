import type { SentRequest } from "./app-client";
import { checkInvariants, requestIdOf, summaryLine, type BankLedgers, type LedgerTransfer } from "./ledger-check";
import type { Booking } from "@gerbang/shared/src/bank/testing";

// The judge of the fault suite, judged itself: hand-made ledgers with one known defect each must
// be counted under the right heading, and a clean ledger must count nothing.

const SOURCE = "0115470003";
const BENEFICIARY = "0115476119";

function transfer(ref: string, state: string, amount: string, partner = "009", extra: Partial<LedgerTransfer> = {}): LedgerTransfer {
  return {
    referenceNumber: ref, clientId: "3", clientReferenceNo: `C-${ref}`, state, amount,
    sourceAccountNumber: SOURCE, beneficiaryAccountNumber: BENEFICIARY,
    attempts: [{ attempt: 1, partnerBankCode: partner }], reviewReason: "", ...extra,
  };
}

function booking(t: LedgerTransfer, attempt = 1, partner = "009"): Booking {
  return {
    requestId: requestIdOf(partner, t.referenceNumber, attempt)!, journalNo: `J-${t.referenceNumber}-${attempt}`,
    sourceAccountNumber: t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber,
    beneficiaryBankCode: partner, amount: t.amount, kind: "INTRABANK", bookedAt: "2024-01-01T00:00:00.000Z",
  };
}

function answered(t: LedgerTransfer, status: string): SentRequest {
  return {
    body: { clientReferenceNo: t.clientReferenceNo, beneficiaryBankCode: "009", beneficiaryAccountNumber: BENEFICIARY, beneficiaryAccountName: "X", amount: t.amount },
    answer: { kind: "answer", httpStatus: status === "PENDING" ? 202 : 200, statusCode: "000", referenceNumber: t.referenceNumber, status },
  };
}

const check = (transfers: LedgerTransfer[], ledgers: BankLedgers, sent: SentRequest[] = []) => checkInvariants({ transfers, ledgers, sent, faults: 7 });

describe("checkInvariants", () => {
  const ok = transfer("GRBOK0000000001", "SUCCESS", "10001");
  const declined = transfer("GRBNO0000000002", "FAILED", "10002");

  it("counts nothing on a clean ledger: one booking per SUCCESS, none for FAILED, sums equal", () => {
    const f = check([ok, declined], { "009": [booking(ok)], "014": [], "800": [] }, [answered(ok, "SUCCESS"), answered(declined, "FAILED")]);
    expect(f).toMatchObject({ transfers: 2, faults: 7, lost: 0, doubled: 0, stuck: 0, bookings: 1, problems: [] });
    expect(summaryLine(f)).toBe("transfers 2, faults 7, lost 0, doubled 0, stuck 0");
  });

  it("a SUCCESS no bank booked is lost", () => {
    expect(check([ok], { "009": [] })).toMatchObject({ lost: 1, doubled: 0, stuck: 0 });
  });

  it("a transfer booked under two attempts is doubled", () => {
    const twice = transfer("GRBTWICE0000003", "SUCCESS", "10003", "009", {
      attempts: [{ attempt: 1, partnerBankCode: "009" }, { attempt: 2, partnerBankCode: "009" }],
    });
    const f = check([twice], { "009": [booking(twice, 1), booking(twice, 2)] });
    expect(f.doubled).toBe(1);
    expect(f.problems.some((p) => p.startsWith("sums:"))).toBe(true);
  });

  it("one request id booked twice (a bank whose duplicate check missed a re-send) is doubled; booked at all while FAILED, lost too", () => {
    const again = (b: Booking): Booking => ({ ...b, journalNo: `${b.journalNo}-again`, bookedAt: "2024-01-01T00:00:01.000Z" });
    const twice = transfer("GRBSAMEID000004", "SUCCESS", "10004");
    const f = check([twice], { "009": [booking(twice), again(booking(twice))] });
    expect(f).toMatchObject({ doubled: 1, lost: 0, bookings: 2 });
    const failed = transfer("GRBSAMEID000005", "FAILED", "10005");
    expect(check([failed], { "009": [booking(failed), again(booking(failed))] })).toMatchObject({ doubled: 1, lost: 1 });
  });

  it("a rerouted transfer booked at both banks is doubled, not an orphan: attempt 1 went from the first escrow", () => {
    const firstEscrow = "0201240003";
    const rerouted = transfer("GRBREROUTE00009", "SUCCESS", "10009", "009", {
      attempts: [{ attempt: 1, partnerBankCode: "014", outcome: "NOT_SENT", sourceAccountNumber: firstEscrow }, { attempt: 2, partnerBankCode: "009", sourceAccountNumber: SOURCE }],
    });
    const atBca = { ...booking(rerouted, 1, "014"), sourceAccountNumber: firstEscrow };
    const f = check([rerouted], { "014": [atBca], "009": [booking(rerouted, 2)] });
    expect(f).toMatchObject({ doubled: 1, lost: 0 });
    expect(f.problems.some((p) => p.startsWith("doubled: GRBREROUTE00009"))).toBe(true);
  });

  it("a booking for a FAILED transfer, and a booking nobody owns, are lost", () => {
    const stranger = { ...booking(ok), requestId: "ZZZZZZZZZZZZZZZZ" };
    expect(check([declined, ok], { "009": [booking(declined), booking(ok), stranger] })).toMatchObject({ lost: 2, doubled: 0 });
  });

  it("a booking whose id matches but whose amount differs is not the transfer's (BCA id collisions)", () => {
    const bca = transfer("GRBBCA000000004", "SUCCESS", "10004", "014");
    expect(check([bca], { "014": [{ ...booking(bca, 1, "014"), amount: "99999" }] })).toMatchObject({ lost: 2 });
  });

  it("a BCA booking belongs to the attempt that was allocated its id, not to one whose derived id is equal", () => {
    const [refA, refB] = collidingBcaReferences();
    const a = transfer(refA, "SUCCESS", "10005", "014");
    // B's derived id is A's; the BCA service allocated it another one, and B was booked under that.
    const b = transfer(refB, "SUCCESS", "10005", "014", { attempts: [{ attempt: 1, partnerBankCode: "014", allocatedRequestId: "12345678" }] });
    const bookings = [booking(a, 1, "014"), { ...booking(a, 1, "014"), requestId: "12345678", journalNo: "J-B" }];
    expect(check([a, b], { "014": bookings })).toMatchObject({ lost: 0, doubled: 0, problems: [] });
    expect(check([a, { ...b, state: "FAILED" }], { "014": bookings })).toMatchObject({ lost: 1 });
  });

  it("PENDING and SENDING are stuck; MANUAL_REVIEW is stuck only without a reason", () => {
    const f = check([
      transfer("GRBPEND00000005", "PENDING", "1"), transfer("GRBSEND00000006", "SENDING", "2"),
      transfer("GRBMRNO00000007", "MANUAL_REVIEW", "3"),
      transfer("GRBMRYES0000008", "MANUAL_REVIEW", "4", "009", { reviewReason: "bank has no record after the horizon" }),
    ], {});
    expect(f).toMatchObject({ stuck: 3, manualReview: 2, lost: 0, doubled: 0 });
  });

  it("a booked MANUAL_REVIEW transfer is lost: the bank moved money our ledger does not show as moved", () => {
    const review = transfer("GRBMRBOOK000009", "MANUAL_REVIEW", "10009", "009", { reviewReason: "horizon" });
    expect(check([review], { "009": [booking(review)] })).toMatchObject({ lost: 1, stuck: 0 });
  });

  it("two transfers for one clientReferenceNo are doubled", () => {
    const again = { ...transfer("GRBAGAIN0000010", "FAILED", "10010"), clientReferenceNo: ok.clientReferenceNo };
    expect(check([ok, again], { "009": [booking(ok)] }).doubled).toBe(1);
  });

  it("an answer the ledger does not hold is lost; a final answer that changed counts by what the app may do", () => {
    const ghost = transfer("GRBGHOST000011", "SUCCESS", "10011");
    const nowFailed = transfer("GRBFLIP0000012", "FAILED", "10012");
    const nowSuccess = transfer("GRBFLOP0000013", "SUCCESS", "10013");
    const f = check([ok, nowFailed, nowSuccess], { "009": [booking(ok), booking(nowSuccess)] }, [
      answered(ghost, "SUCCESS"), // never recorded
      answered(nowFailed, "SUCCESS"), // told SUCCESS, now FAILED: lost
      answered(nowSuccess, "FAILED"), // told FAILED, now SUCCESS: the app may pay again
    ]);
    expect(f).toMatchObject({ lost: 2, doubled: 1 });
  });

  it("an answer without a reference (a refusal, no answer at all) claims nothing", () => {
    const refused: SentRequest = { body: answered(ok, "SUCCESS").body, answer: { kind: "none", error: "ECONNRESET" } };
    expect(check([ok], { "009": [booking(ok)] }, [refused])).toMatchObject({ lost: 0, doubled: 0, stuck: 0 });
  });
});

/** Two references whose derived BCA ids (8 digits) are equal: found by search (~1e4 hashes by the birthday bound). */
function collidingBcaReferences(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 1_000_000; i += 1) {
    const reference = `GRBCOLL${i}`;
    const id = requestIdOf("014", reference, 1)!;
    const earlier = seen.get(id);
    if (earlier !== undefined) return [earlier, reference];
    seen.set(id, reference);
  }
  throw new Error("no collision among 1e6 references");
}
