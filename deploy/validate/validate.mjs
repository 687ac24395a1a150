// Validates SalesDash's deployment files, run by ./test.sh:
//  1. every object in deploy/k8s/*.yaml against its Kubernetes schema (kubernetes-models' generated validators:
//     types, required fields, enums; unknown fields are not caught, as the OpenAPI schemas allow them);
//  2. the rule that the app keeps no state on pod disks: no volumes or volume claims on the app's pods or compose
//     services; the app database and journal on PostgreSQL; the Data Protection certificate from a Secret;
//  3. that the validators refuse broken objects at all (a check that cannot fail proves nothing).
// Each check is a test; with --trx FILE the results are written where ./test.sh's summary counts them.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { parseAllDocuments } from "yaml";

const deploy = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = [];

function check(name, fn) {
  return Promise.resolve()
    .then(fn)
    .then(() => results.push({ name, passed: true }))
    .catch((error) => results.push({ name, passed: false, message: String(error?.message ?? error) }));
}

function fail(message) {
  throw new Error(message);
}

// apps/v1 StatefulSet -> kubernetes-models/apps/v1/StatefulSet; v1 Service -> kubernetes-models/v1/Service.
async function modelFor(apiVersion, kind) {
  const path = `kubernetes-models/${apiVersion}/${kind}`;
  let module;
  try {
    module = await import(path);
  } catch {
    fail(`no Kubernetes schema for ${apiVersion} ${kind}`);
  }
  return module[kind] ?? fail(`${path} exports no ${kind}`);
}

async function validateObject(object) {
  if (!object || typeof object !== "object") fail("not an object");
  if (!object.apiVersion || !object.kind) fail("apiVersion and kind are required");
  const Model = await modelFor(object.apiVersion, object.kind);
  try {
    new Model(object).validate();
  } catch (error) {
    const details = (error.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    fail(`${object.kind} ${object.metadata?.name ?? "?"}: ${details || error.message}`);
  }
}

function readYaml(file) {
  const documents = parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
  for (const document of documents) {
    if (document.errors.length > 0) fail(`${file}: ${document.errors[0].message}`);
  }
  return documents.map((d) => d.toJS()).filter((o) => o !== null);
}

const k8s = join(deploy, "k8s");
const files = readdirSync(k8s).filter((f) => f.endsWith(".yaml")).sort();
const objects = [];
for (const file of files) {
  let documents = [];
  await check(`k8s/${file} parses`, () => {
    documents = readYaml(join(k8s, file));
  });
  for (const object of documents) {
    if (object.apiVersion?.startsWith("kustomize.config.k8s.io/")) {
      // Not an API object: kustomize reads it. Its resources must exist, or kubectl apply -k fails.
      await check(`k8s/${file}: kustomization lists existing files`, () => {
        for (const resource of object.resources ?? []) {
          if (!files.includes(resource)) fail(`resource ${resource} is not in deploy/k8s`);
        }
        for (const file of files.filter((f) => f !== "kustomization.yaml")) {
          if (!(object.resources ?? []).includes(file)) fail(`${file} is not listed in resources`);
        }
      });
      continue;
    }
    objects.push(object);
    await check(`k8s/${file}: ${object.kind} ${object.metadata?.name} matches the ${object.apiVersion} schema`, () => validateObject(object));
  }
}

const app = objects.find((o) => o.kind === "StatefulSet" && o.metadata?.name === "salesdash")
  ?? objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "salesdash");
const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === "salesdash-config");

await check("k8s: the app's pods keep no state on disk (no volumes, no volume claims)", () => {
  if (!app) fail("no StatefulSet or Deployment named salesdash");
  const pod = app.spec?.template?.spec ?? fail("the app has no pod template");
  if ((pod.volumes ?? []).length > 0) fail(`pod volumes: ${pod.volumes.map((v) => v.name).join(", ")}`);
  if ((app.spec.volumeClaimTemplates ?? []).length > 0) fail("the app claims persistent volumes");
  for (const container of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    if ((container.volumeMounts ?? []).length > 0) fail(`container ${container.name} mounts volumes`);
  }
});

function envOf(workload) {
  const env = {};
  for (const [key, value] of Object.entries(configMap?.data ?? {})) env[key] = { value };
  for (const container of workload?.spec?.template?.spec?.containers ?? []) {
    for (const variable of container.env ?? []) env[variable.name] = variable;
  }
  return env;
}

await check("k8s: app database, journal and history on their servers; key ring certificate from a Secret", () => {
  const env = envOf(app);
  const expect = (name, value) => {
    if (env[name]?.value !== value) fail(`${name} must be ${value}, is ${env[name]?.value ?? "unset"}`);
  };
  const secret = (name) => {
    if (!env[name]?.valueFrom?.secretKeyRef) fail(`${name} must come from a Secret (secretKeyRef)`);
  };
  expect("AppDatabase__Provider", "PostgreSQL");
  expect("Engine__Journal", "PostgreSql");
  expect("Engine__Snapshots", "ClickHouse");
  secret("AppDatabase__ConnectionString");
  secret("Engine__JournalConnectionString");
  secret("DataProtection__Certificate");
  for (const ref of Object.values(env).map((v) => v.valueFrom?.secretKeyRef).filter(Boolean)) {
    const found = objects.find((o) => o.kind === "Secret" && o.metadata?.name === ref.name);
    if (!found) fail(`Secret ${ref.name} is not in deploy/k8s`);
    if (!(ref.key in (found.stringData ?? {})) && !(ref.key in (found.data ?? {}))) fail(`Secret ${ref.name} has no key ${ref.key}`);
  }
});

await check("compose.yaml: app services keep no state on disk and share PostgreSQL and the key ring", () => {
  const [compose] = readYaml(join(deploy, "compose.yaml"));
  const apps = Object.entries(compose.services ?? {}).filter(([, s]) => s.image === "salesdash:dev" || s.build);
  if (apps.length === 0) fail("no SalesDash services");
  for (const [name, service] of apps) {
    if ((service.volumes ?? []).length > 0) fail(`${name} mounts volumes: ${service.volumes.join(", ")}`);
    const env = service.environment ?? {};
    if (env.AppDatabase__Provider !== "PostgreSQL") fail(`${name}: AppDatabase__Provider must be PostgreSQL`);
    if (!env.AppDatabase__ConnectionString) fail(`${name}: AppDatabase__ConnectionString is missing`);
    if (!env.DataProtection__Certificate) fail(`${name}: DataProtection__Certificate is missing`);
  }
});

// The validators must refuse what the API server would: otherwise every check above passes vacuously.
await check("self-test: a StatefulSet with replicas as text and no selector is refused", async () => {
  const broken = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "broken" },
    spec: { replicas: "three", serviceName: "x", template: { spec: { containers: [{ name: "c", image: "i" }] } } } };
  let refused = false;
  try {
    await validateObject(broken);
  } catch {
    refused = true;
  }
  if (!refused) fail("the broken StatefulSet was accepted");
});

await check("self-test: an unknown kind is refused", async () => {
  let refused = false;
  try {
    await validateObject({ apiVersion: "apps/v1", kind: "StatefulSett", metadata: { name: "typo" } });
  } catch {
    refused = true;
  }
  if (!refused) fail("a kind with a typo was accepted");
});

const failed = results.filter((r) => !r.passed);
for (const r of results) console.log(`${r.passed ? "  passed" : "  FAILED"} ${r.name}${r.passed ? "" : `\n         ${r.message}`}`);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);

const trxAt = process.argv.indexOf("--trx");
if (trxAt > 0 && process.argv[trxAt + 1]) writeTrx(process.argv[trxAt + 1]);
process.exit(failed.length === 0 ? 0 : 1);

function writeTrx(file) {
  const escape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const now = new Date().toISOString();
  const rows = results.map((r) => {
    const outcome = r.passed ? "Passed" : "Failed";
    const output = r.passed ? "" : `<Output><ErrorInfo><Message>${escape(r.message)}</Message></ErrorInfo></Output>`;
    return `<UnitTestResult executionId="${randomUUID()}" testId="${randomUUID()}" testName="DeployManifests.${escape(r.name)}" outcome="${outcome}" startTime="${now}" endTime="${now}">${output}</UnitTestResult>`;
  });
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<TestRun id="${randomUUID()}" name="DeployManifests" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Results>${rows.join("\n")}</Results>
  <ResultSummary outcome="${failed.length === 0 ? "Completed" : "Failed"}">
    <Counters total="${results.length}" executed="${results.length}" passed="${results.length - failed.length}" failed="${failed.length}" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
  </ResultSummary>
</TestRun>
`);
}
