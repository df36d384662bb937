import { createRegistryStore, type Connection, type Logger, type Partner } from "@gerbang/shared";
import { createBankBreakers } from "./bank-breakers";
import { createBankCaller, type BankCaller } from "./bank-client";
import { bankPoliciesOf, policyFor, type PolicySettings } from "./bank-policy";
import type { StatusAnswer } from "./bank-outcome";
import { protoUsage } from "./settle";
import type { TransferRecord } from "./transfer-store";

/** What a transfer's attempts are asked about at their banks with. */
export interface BankInquiries {
  partners: readonly Partner[];
  bank: BankCaller;
  deadlineFor: (bankCode: string) => number;
}

/** What a bank said about one attempt, labelled by partner and attempt ("014#1"). */
export interface AttemptAnswer {
  label: string;
  answer: StatusAnswer;
}

/**
 * Bank inquiries for the operators' commands (reconcile, settle), with the gateway's bank
 * settings and the partners as the registry has them now. Its breakers never open: every inquiry
 * is made, so each answer is the bank's own. The caller closes it.
 */
export async function openBankInquiries(connection: Connection, config: PolicySettings, logger: Logger): Promise<BankInquiries & { close(): void }> {
  const breakers = createBankBreakers({ errorPercent: 100, volumeThreshold: Number.MAX_SAFE_INTEGER, resetMs: 1_000, windowMs: 10_000 }, logger);
  const bank = createBankCaller({ breakers, maxReconnectBackoffMs: 1_000 });
  const close = () => {
    bank.close();
    breakers.close();
  };
  try {
    const policies = bankPoliciesOf(config);
    const partners = await createRegistryStore(connection).listPartners();
    return { partners, bank, deadlineFor: (bankCode) => policyFor(policies, bankCode).deadlineMs, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Every attempt of the transfer, "not sent" ones included, asked at its bank (GetTransferStatus),
 * answers oldest first. "Not sent" is the bank service's promise, and a booking under it (a
 * FAILED 003 the bank did book, or both attempts of a reroute) is what an operator's check must
 * see. The attempts are asked at once: a bank service that hangs costs its deadline once per
 * transfer, not once per attempt.
 */
export async function askAboutAttempts(deps: BankInquiries, t: TransferRecord): Promise<AttemptAnswer[]> {
  return Promise.all(t.attempts.map(async (a): Promise<AttemptAnswer> => {
    const partner = deps.partners.find((p) => p.bankCode === a.partnerBankCode);
    const answer: StatusAnswer = partner === undefined
      ? { status: "NOT_SENT", error: `no partner ${a.partnerBankCode} in the registry` }
      : await deps.bank.status(partner, {
        referenceNumber: t.referenceNumber, attempt: a.attempt, usage: protoUsage(a.usage), transactionDate: a.transactionDate,
        // The attempt's own escrow: a rerouted transfer's first attempt debited another one, and
        // BCA only owns up to a record whose accounts match.
        amount: t.amount, sourceAccountNumber: a.sourceAccountNumber ?? t.sourceAccountNumber, beneficiaryAccountNumber: t.beneficiaryAccountNumber,
      }, deps.deadlineFor(partner.bankCode));
    return { label: `${a.partnerBankCode}#${a.attempt}`, answer };
  }));
}

/** One line per answer, as the operators' commands print them: "014#1 SUCCESS (00)". */
export function describeAnswer({ label, answer }: AttemptAnswer): string {
  return [label, answer.status, answer.bankCode ? `(${answer.bankCode})` : ""].join(" ").trim();
}
