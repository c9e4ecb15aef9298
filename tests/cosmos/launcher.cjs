// The Cosmos DB test server (npm @vercel/cosmosdb-server 1.0.1) as scalechat's tests need it.
// It adds what azure-cosmos for Python needs and the package lacks (see docs/notes/storage-spike.md §2):
// - keep-alive (the package's CLI answers `connection: close`: a TLS handshake per request) and our own
//   certificate, so the client verifies the server instead of turning verification off;
// - a point read of a missing item (or of one in another partition) answers 404 instead of 500;
// - transactional batches take the partition key from the header (Python sends it only there) and
//   dispatch Patch ops. They run in order and stop at the first failure (later ops get 424), as
//   Cosmos DB does, but are NOT rolled back: tests of rollback run against a real account only.
// Data lives in memory for as long as the process runs.
// env: PORT (0 = any free port), HOST, TLS=0 for plain HTTP, CERT and KEY (PEM paths, optional)
const fs = require("node:fs");
const base = "@vercel/cosmosdb-server/lib";
const { default: partitionHeader } = require(`${base}/utils/get-partition-from-header`);
const ops = require(`${base}/handler/_document-operations`);
const { patchOperation } = require(`${base}/handler/_patch-operations`);
const json = require(`${base}/json`).default;
const batch = require(`${base}/handler/batch-documents`);
const read = require(`${base}/handler/read-document`);

// Patched before `routes` is loaded: routes.js reads `.default` of each handler once, at load.
batch.default = async (account, req, res, { dbId, collId }) => {
  const collection = account.database(dbId).collection(collId);
  if (!collection.read()) { res.statusCode = 404; return { code: "NotFound", message: "no collection" }; }
  const body = await json(req);
  if (!Array.isArray(body)) { res.statusCode = 400; return { message: "Invalid request body" }; }
  const pk = partitionHeader(req);
  const run = {
    Create: (op) => ops.createOperation(collection, op),
    Upsert: (op) => ops.upsertOperation(collection, op),
    Read: (op) => ops.readOperation(collection, op),
    Delete: (op) => ops.deleteOperation(collection, op),
    Replace: (op) => ops.replaceOperation(collection, op),
    Patch: (op) => patchOperation(collection, { id: op.id, partitionKey: op.partitionKey, ifMatch: op.ifMatch,
      operations: op.resourceBody.operations, condition: op.resourceBody.condition }),
  };
  let failed = false;
  return body.map((input) => {
    if (failed) return { statusCode: 424, requestCharge: 0 };
    const op = { ...input, partitionKey: input.partitionKey ?? pk };
    const handler = run[op.operationType];
    if (!handler) { failed = true; return { statusCode: 400, requestCharge: 0 }; }
    const result = handler(op);
    failed = result.statusCode >= 400;
    return failed ? { statusCode: result.statusCode, requestCharge: 0 }
                  : { statusCode: result.statusCode, requestCharge: 1, eTag: result.body?._etag, resourceBody: result.body };
  });
};

const originalRead = read.default;
read.default = (account, req, res, params) => {
  try { return originalRead(account, req, res, params); }
  catch (err) {
    if (!(err instanceof TypeError)) throw err;
    res.statusCode = 404;
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
};

const { createHttpServer, createHttpsServer } = require(base);
const tls = process.env.TLS !== "0";
const opts = { keepAlive: true };
if (tls && process.env.CERT) { opts.cert = fs.readFileSync(process.env.CERT); opts.key = fs.readFileSync(process.env.KEY); }
const server = (tls ? createHttpsServer : createHttpServer)(opts);
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
  console.log(`READY ${tls ? "https" : "http"}://127.0.0.1:${server.address().port}/`);
});
// The test process holds our stdin: when it goes (even killed), so do we.
if (process.env.EXIT_WITH_STDIN === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}
