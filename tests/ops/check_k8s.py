#!/usr/bin/env python3
"""Checks `kubectl kustomize ops/k8s` against a strict schema of the fields we
use, written from the Agones (agones.dev/v1 Fleet, autoscaling.agones.dev/v1
FleetAutoscaler) and Kubernetes (v1 Secret, PodTemplateSpec) API references.
Like the API server's strict field validation, an unknown field is an error;
so is a wrong type or an enum value the API does not have.
   check_k8s.py KUSTOMIZE_OUTPUT.yaml"""
import sys

import yaml

STR, INT, BOOL = "string", "integer", "boolean"
QTY = "quantity"  # a Kubernetes quantity: string or integer
INT_OR_STR = "int-or-string"


def obj(fields, required=()):
    return {"fields": fields, "required": set(required)}


def enum(*values):
    return {"enum": set(values)}


def mapof(schema):
    return {"map": schema}


def listof(schema):
    return {"list": schema}


META = obj({"name": STR, "namespace": STR, "labels": mapof(STR), "annotations": mapof(STR)})
PORT_K8S = obj({"name": STR, "containerPort": INT, "protocol": enum("TCP", "UDP", "SCTP")}, ["containerPort"])
SECRET_REF = obj({"name": STR, "key": STR, "optional": BOOL}, ["key"])
ENV = obj({"name": STR, "value": STR, "valueFrom": obj({"secretKeyRef": SECRET_REF})}, ["name"])
RESOURCES = obj({"requests": mapof(QTY), "limits": mapof(QTY)})
CAPS = obj({"add": listof(STR), "drop": listof(STR)})
SECURITY = obj({"runAsNonRoot": BOOL, "runAsUser": INT, "allowPrivilegeEscalation": BOOL,
                "readOnlyRootFilesystem": BOOL, "capabilities": CAPS})
MOUNT = obj({"name": STR, "mountPath": STR, "readOnly": BOOL}, ["name", "mountPath"])
CONTAINER = obj({"name": STR, "image": STR, "imagePullPolicy": enum("Always", "IfNotPresent", "Never"),
                 "args": listof(STR), "command": listof(STR), "env": listof(ENV), "ports": listof(PORT_K8S),
                 "resources": RESOURCES, "securityContext": SECURITY, "volumeMounts": listof(MOUNT)}, ["name"])
VOLUME = obj({"name": STR, "emptyDir": obj({"medium": STR, "sizeLimit": QTY})}, ["name"])
POD_SPEC = obj({"terminationGracePeriodSeconds": INT, "containers": listof(CONTAINER), "volumes": listof(VOLUME)},
               ["containers"])
POD_TEMPLATE = obj({"metadata": META, "spec": POD_SPEC})
GS_PORT = obj({"name": STR, "portPolicy": enum("Dynamic", "Static", "Passthrough", "None"), "containerPort": INT,
               "hostPort": INT, "protocol": enum("UDP", "TCP", "TCPUDP"), "container": STR})
GS_HEALTH = obj({"disabled": BOOL, "initialDelaySeconds": INT, "periodSeconds": INT, "failureThreshold": INT})
COUNTER = obj({"count": INT, "capacity": INT})
GS_SPEC = obj({"ports": listof(GS_PORT), "health": GS_HEALTH, "counters": mapof(COUNTER),
               "sdkServer": obj({"logLevel": enum("Info", "Debug", "Error", "Trace"), "grpcPort": INT,
                                 "httpPort": INT}),
               "template": POD_TEMPLATE}, ["template"])
FLEET = obj({"apiVersion": enum("agones.dev/v1"), "kind": enum("Fleet"), "metadata": META,
             "spec": obj({"replicas": INT, "scheduling": enum("Packed", "Distributed"),
                          "strategy": obj({"type": enum("RollingUpdate", "Recreate"),
                                           "rollingUpdate": obj({"maxSurge": INT_OR_STR,
                                                                 "maxUnavailable": INT_OR_STR})}),
                          "template": obj({"metadata": META, "spec": GS_SPEC}, ["spec"])}, ["template"])},
            ["apiVersion", "kind", "metadata", "spec"])
AUTOSCALER = obj({"apiVersion": enum("autoscaling.agones.dev/v1"), "kind": enum("FleetAutoscaler"), "metadata": META,
                  "spec": obj({"fleetName": STR,
                               "policy": obj({"type": enum("Buffer", "Webhook", "Counter", "List"),
                                              "buffer": obj({"bufferSize": INT_OR_STR, "minReplicas": INT,
                                                             "maxReplicas": INT}, ["bufferSize", "maxReplicas"])},
                                             ["type"]),
                               "sync": obj({"type": enum("FixedInterval"),
                                            "fixedInterval": obj({"seconds": INT}, ["seconds"])})},
                              ["fleetName", "policy"])},
                 ["apiVersion", "kind", "metadata", "spec"])
SECRET = obj({"apiVersion": enum("v1"), "kind": enum("Secret"), "metadata": META, "type": STR, "data": mapof(STR),
              "stringData": mapof(STR)}, ["apiVersion", "kind", "metadata"])
BY_KIND = {"Fleet": FLEET, "FleetAutoscaler": AUTOSCALER, "Secret": SECRET}


def check(value, schema, path, errors):
    if isinstance(schema, str):
        ok = {STR: isinstance(value, str), INT: isinstance(value, int) and not isinstance(value, bool),
              BOOL: isinstance(value, bool), QTY: isinstance(value, (str, int)) and not isinstance(value, bool),
              INT_OR_STR: isinstance(value, (str, int)) and not isinstance(value, bool)}[schema]
        if not ok:
            errors.append(f"{path}: expected {schema}, got {type(value).__name__} {value!r}")
    elif "enum" in schema:
        if value not in schema["enum"]:
            errors.append(f"{path}: {value!r} is not one of {sorted(schema['enum'])}")
    elif "map" in schema:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map")
            return
        for k, v in value.items():
            check(v, schema["map"], f"{path}.{k}", errors)
    elif "list" in schema:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, v in enumerate(value):
            check(v, schema["list"], f"{path}[{i}]", errors)
    else:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object")
            return
        for k, v in value.items():
            if k not in schema["fields"]:
                errors.append(f"{path}.{k}: unknown field")
            else:
                check(v, schema["fields"][k], f"{path}.{k}", errors)
        for k in sorted(schema["required"] - value.keys()):
            errors.append(f"{path}.{k}: required")


def consistency(docs, errors):
    """What the server and the manifests must agree on."""
    fleet = next(d for d in docs if d["kind"] == "Fleet")
    gs = fleet["spec"]["template"]["spec"]
    if not any(p.get("name") == "game" and p.get("protocol") == "UDP" for p in gs["ports"]):
        errors.append("Fleet: the server looks up a UDP port named 'game'")
    pod = gs["template"]["spec"]
    args = pod["containers"][0].get("args", [])
    drain = int(args[args.index("--drain-timeout") + 1]) if "--drain-timeout" in args else 360
    if pod.get("terminationGracePeriodSeconds", 30) <= drain:
        errors.append("Fleet: terminationGracePeriodSeconds must exceed --drain-timeout")
    secrets = {d["metadata"]["name"] for d in docs if d["kind"] == "Secret"}
    for e in pod["containers"][0].get("env", []):
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref["name"] not in secrets:
            errors.append(f"env {e['name']}: Secret {ref['name']} is not in the kustomization")
    names = {d["metadata"]["name"] for d in docs if d["kind"] == "Fleet"}
    for d in docs:
        if d["kind"] == "FleetAutoscaler" and d["spec"]["fleetName"] not in names:
            errors.append(f"FleetAutoscaler {d['metadata']['name']}: no Fleet {d['spec']['fleetName']}")


def main():
    docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
    errors = []
    kinds = sorted(d.get("kind", "?") for d in docs)
    if kinds != ["Fleet", "FleetAutoscaler", "Secret"]:
        errors.append(f"expected a Fleet, a FleetAutoscaler and a Secret, got {kinds}")
    for d in docs:
        schema = BY_KIND.get(d.get("kind"))
        if schema is None:
            errors.append(f"{d.get('kind')}: no schema for this kind")
            continue
        check(d, schema, f"{d['kind']}/{d.get('metadata', {}).get('name', '?')}", errors)
    if not errors:
        consistency(docs, errors)
    for e in errors:
        print("check_k8s:", e)
    if errors:
        return 1
    print(f"check_k8s: {len(docs)} objects match the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
