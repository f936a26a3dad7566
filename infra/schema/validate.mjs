// Validate Kubernetes manifests (a JSON array on stdin) against the Karpenter CRDs and the Kubernetes core, batch,
// apps and RBAC schemas (the KubeRay CRDs are checked in Python: sskai/kuberay/schema.py).
// Prints one line per manifest: "ok <kind>/<name>" or "invalid <kind>/<name>: <reason>"; exits 1 if any is invalid.
import { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1/NodePool";
import { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass";
import { Pod } from "kubernetes-models/v1/Pod";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Job } from "kubernetes-models/batch/v1/Job";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";

const models = {
  "karpenter.sh/v1/NodePool": NodePool,
  "karpenter.k8s.aws/v1/EC2NodeClass": EC2NodeClass,
  "v1/Pod": Pod,
  "v1/ServiceAccount": ServiceAccount,
  "batch/v1/Job": Job,
  "apps/v1/DaemonSet": DaemonSet,
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
};
let input = "";
for await (const chunk of process.stdin) input += chunk;
let failed = false;
for (const manifest of JSON.parse(input)) {
  const id = `${manifest.kind}/${manifest.metadata?.name}`;
  const Model = models[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) { console.log(`invalid ${id}: no schema for ${manifest.apiVersion} ${manifest.kind}`); failed = true; continue; }
  try { new Model(manifest).validate(); console.log(`ok ${id}`); }
  catch (error) { console.log(`invalid ${id}: ${error.message}`); failed = true; }
}
process.exit(failed ? 1 : 0);
