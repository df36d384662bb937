import { getOption, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http } from "@gerbang/gen/es/google/api/annotations_pb";
import type { HttpRule } from "@gerbang/gen/es/google/api/http_pb";

/**
 * REST routes read from the `google.api.http` annotations in the descriptors protoc-gen-es
 * generates: the proto declares each path once and nothing here names a path by hand.
 */
export interface RestRoute {
  method: DescMethod;
  httpMethod: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** The template as declared, e.g. "/api/v1/transfers/{reference_number}". */
  template: string;
  pattern: RegExp;
  /** JSON names of the fields bound to the path's variables, in order. */
  pathFields: string[];
  /** "*" (the whole request is the body) or "" (no body: the rest comes from the query). */
  body: string;
}

export function restRoutes(service: DescService): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const method of service.methods) {
    const rule = getOption(method, http);
    for (const r of [rule, ...rule.additionalBindings]) {
      if (r.pattern.case === undefined || r.pattern.case === "custom") continue;
      routes.push(compile(method, r.pattern.case.toUpperCase() as RestRoute["httpMethod"], r.pattern.value, r));
    }
  }
  // Literal segments beat variables: "/api/v1/transfers" must not be read as a variable match.
  return routes.sort((a, b) => a.pathFields.length - b.pathFields.length);
}

function compile(method: DescMethod, httpMethod: RestRoute["httpMethod"], template: string, rule: HttpRule): RestRoute {
  const pathFields: string[] = [];
  const source = template.split("/").map((segment) => {
    const variable = /^\{([a-z_][a-z0-9_]*)(?:=\*)?\}$/.exec(segment)?.[1];
    if (variable === undefined) {
      if (segment.includes("{")) throw new Error(`unsupported path template ${template}`);
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    const field = method.input.fields.find((f) => f.name === variable);
    if (field === undefined) throw new Error(`${template}: ${method.input.typeName} has no field ${variable}`);
    pathFields.push(field.jsonName);
    return "([^/]+)";
  }).join("/");
  // The body goes to the RPC as sent (rest-handler.ts), so it must be the whole request.
  if (rule.body !== "" && (rule.body !== "*" || pathFields.length > 0)) throw new Error(`${template}: only body "*" without path variables, or no body, is supported`);
  return { method, httpMethod, template, pattern: new RegExp(`^${source}$`), pathFields, body: rule.body };
}

/** The route for a request, or none; `pathKnown` tells "wrong method" from "not ours". */
export interface RestMatch {
  route: RestRoute | undefined;
  params: Record<string, string>;
  pathKnown: boolean;
  /** Why the path cannot be read (bad percent-encoding): an invalid request, not an unknown transfer. */
  invalid?: string;
}

export function matchRoute(routes: readonly RestRoute[], httpMethod: string, path: string): RestMatch {
  let pathKnown = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m === null) continue;
    pathKnown = true;
    if (route.httpMethod !== httpMethod) continue;
    const params: Record<string, string> = {};
    try {
      route.pathFields.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1] ?? ""); });
    } catch {
      return { route, params: {}, pathKnown, invalid: "invalid request: malformed percent-encoding in the path" };
    }
    return { route, params, pathKnown };
  }
  return { route: undefined, params: {}, pathKnown };
}
