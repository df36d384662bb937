export { startGateway, type Gateway, type GatewayDeps, type GatewaySettings } from "./gateway";
export { loadGatewayConfig, gatewayConfigSchema, type GatewayConfig } from "./config";
export { createClientStore, type Client, type ClientStore, type EscrowAccount } from "./client-store";
export { createBankDirectoryStore, type BankDirectoryStore, type DirectoryBank } from "./bank-directory-store";
export { parseReconcileInstant, reconcile, reconcileLedger, type Mismatch, type ReconcileReport } from "./reconcile";
export { timeoutOrderingProblems } from "./bank-policy";
export { createTransferStore, TRANSFERS_COLLECTION } from "./transfer-store";
export { askAboutAttempts, describeAnswer, openBankInquiries, type AttemptAnswer } from "./bank-inquiries";
export { checkSettlement, overBankAnswersNote, settleByOperator, SettlementInDoubt, SettlementRefused, type OperatorSettleDeps, type OperatorSettlement } from "./operator-settle";
