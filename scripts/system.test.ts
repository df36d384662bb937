import { notHoisted, thirdPartyDependencies } from "./system";

// `make bench` runs every service from an esbuild bundle in .state/build, which loads its
// third-party packages from the root node_modules. A lockfile that nests one under a workspace
// (as npm did when Connect was pinned to 2.1) still passes every test run through tsx and
// breaks only the bench, so the layout is checked here.
describe("scripts/system.ts bundles", () => {
  it("finds every workspace's third-party dependency in the root node_modules", () => {
    const names = thirdPartyDependencies();
    expect(names).toContain("@connectrpc/connect-node");
    expect(names).toContain("@grpc/grpc-js");
    expect(notHoisted(names)).toEqual([]);
  });

  it("names a package that is not there", () => {
    expect(notHoisted(["@grpc/grpc-js", "@gerbang-test/not-installed"])).toEqual(["@gerbang-test/not-installed"]);
  });
});
