import { closeLedger } from "./ledger";

// The operators' commands share these helpers; the commands themselves run as processes in their own tests.

describe("closeLedger", () => {
  it("says a failed close and does not throw it: the command's exit code stands (a settlement written is not 'nothing changed')", async () => {
    const said = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expect(closeLedger({ close: () => Promise.reject(new Error("socket hang up")) })).resolves.toBeUndefined();
      expect(said).toHaveBeenCalledWith("warning: the database connection did not close cleanly (socket hang up); what was printed above stands");
      said.mockClear();
      await closeLedger({ close: () => Promise.resolve() });
      expect(said).not.toHaveBeenCalled();
    } finally {
      said.mockRestore();
    }
  });
});
