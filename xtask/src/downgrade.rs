//! OpenAPI 3.1 → 3.0.3, so that progenitor (which reads 3.0 only) can generate a client.
//!
//! General, not tied to any vendor. Schemas are found where OpenAPI puts them (components,
//! parameters, headers, request and response content) and inside schemas (properties, items,
//! additionalProperties, allOf/anyOf/oneOf, not). In each schema:
//!
//! | 3.1 | 3.0 |
//! |---|---|
//! | `anyOf`/`oneOf` with a `{"type": "null"}` branch | the other branches + `nullable: true`; a single remaining branch is unwrapped (a `$ref` becomes `allOf: [$ref]`, since 3.0 ignores siblings of `$ref`) |
//! | `type: [X, "null"]` | `type: X` + `nullable: true` |
//! | `const: v` | `enum: [v]` |
//! | `exclusiveMinimum: n` / `exclusiveMaximum: n` | `minimum: n, exclusiveMinimum: true` / `maximum: …` |
//! | `examples: [a, …]` | `example: a` |
//! | `prefixItems: [A, B]` (a tuple) | `items: {anyOf: [A, B]}`, with `minItems`/`maxItems` kept: 3.0 cannot type positions, so each element may be any of them |
//! | a parameter's schema allowing `null` | the same without `nullable`: parameters are text, a null cannot be sent; leaving the parameter out is what it means |
//!
//! Anything else that 3.0 cannot say is an error naming its JSON pointer, never silently
//! dropped.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

/// How many times each rule was applied.
pub type Counts = BTreeMap<&'static str, usize>;

/// Keywords of JSON Schema 2020-12 (as OpenAPI 3.1 uses it) with no 3.0 equivalent.
const UNSUPPORTED: &[&str] = &[
    "$defs",
    "$dynamicRef",
    "$dynamicAnchor",
    "$anchor",
    "contains",
    "minContains",
    "maxContains",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "contentSchema",
];

/// Whether `doc` is a 3.1 document.
pub fn is_31(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.starts_with("3.1"))
}

/// Rewrites a 3.1 document in place as 3.0.3; returns the rules applied and their counts.
pub fn downgrade(doc: &mut Value) -> Result<Counts> {
    let mut counts = Counts::new();
    let Some(root) = doc.as_object_mut() else {
        bail!("#: not an OpenAPI document");
    };
    root.insert("openapi".into(), json!("3.0.3"));
    for key in ["webhooks", "jsonSchemaDialect"] {
        if root.contains_key(key) {
            bail!("#/{key}: OpenAPI 3.1 only, no 3.0 equivalent");
        }
    }
    // info.license.identifier (SPDX) is 3.1 only; 3.0 has name and url.
    if let Some(license) = root
        .get_mut("info")
        .and_then(|i| i.get_mut("license"))
        .and_then(|l| l.as_object_mut())
        && let Some(id) = license.remove("identifier")
    {
        *counts.entry("license identifier → name").or_default() += 1;
        license.entry("name").or_insert(id);
    }
    if let Some(components) = root.get_mut("components").and_then(|c| c.as_object_mut()) {
        if components.contains_key("pathItems") {
            bail!("#/components/pathItems: OpenAPI 3.1 only");
        }
        if let Some(schemas) = components
            .get_mut("schemas")
            .and_then(|s| s.as_object_mut())
        {
            for (name, schema) in schemas.iter_mut() {
                schema_at(
                    schema,
                    &format!("/components/schemas/{}", esc(name)),
                    &mut counts,
                )?;
            }
        }
        for kind in ["parameters", "headers"] {
            if let Some(map) = components.get_mut(kind).and_then(|s| s.as_object_mut()) {
                for (name, item) in map.iter_mut() {
                    with_schema(
                        item,
                        &format!("/components/{kind}/{}", esc(name)),
                        &mut counts,
                    )?;
                }
            }
        }
        for kind in ["requestBodies", "responses"] {
            if let Some(map) = components.get_mut(kind).and_then(|s| s.as_object_mut()) {
                for (name, item) in map.iter_mut() {
                    body(
                        item,
                        &format!("/components/{kind}/{}", esc(name)),
                        &mut counts,
                    )?;
                }
            }
        }
    }
    if let Some(paths) = root.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let at = format!("/paths/{}", esc(path));
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (key, op) in item.iter_mut() {
                let at = format!("{at}/{key}");
                if key == "parameters" {
                    params(op, &at, &mut counts)?;
                    continue;
                }
                let Some(op) = op.as_object_mut() else {
                    continue;
                };
                if let Some(p) = op.get_mut("parameters") {
                    params(p, &format!("{at}/parameters"), &mut counts)?;
                }
                if let Some(b) = op.get_mut("requestBody") {
                    body(b, &format!("{at}/requestBody"), &mut counts)?;
                }
                if let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
                    for (code, r) in responses.iter_mut() {
                        body(r, &format!("{at}/responses/{code}"), &mut counts)?;
                    }
                }
            }
        }
    }
    Ok(counts)
}

fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn params(list: &mut Value, at: &str, counts: &mut Counts) -> Result<()> {
    for (i, p) in list.as_array_mut().into_iter().flatten().enumerate() {
        with_schema(p, &format!("{at}/{i}"), counts)?;
        // A parameter is text on the wire, with no way to send a null: 3.1's `X | null` on one
        // (FastAPI's `Optional[X] = None`) means it may be left out, which `required` says.
        // Kept as `nullable`, it would claim a value no client can send; a path segment would
        // become an Option that cannot be put in the path, and validators such as Prism
        // refuse real values of a nullable array ("must be array,null").
        if let Some(schema) = p.get_mut("schema").and_then(|s| s.as_object_mut())
            && schema.remove("nullable").is_some()
        {
            *counts
                .entry("parameter: null dropped (none on the wire)")
                .or_default() += 1;
        }
    }
    Ok(())
}

/// A parameter or header: its `schema`, and its `content` like a body.
fn with_schema(item: &mut Value, at: &str, counts: &mut Counts) -> Result<()> {
    if let Some(s) = item.get_mut("schema") {
        schema_at(s, &format!("{at}/schema"), counts)?;
    }
    body(item, at, counts)
}

/// A request body or response: each media type's `schema`, and response headers.
fn body(item: &mut Value, at: &str, counts: &mut Counts) -> Result<()> {
    if let Some(content) = item.get_mut("content").and_then(|c| c.as_object_mut()) {
        for (media, m) in content.iter_mut() {
            if let Some(s) = m.get_mut("schema") {
                schema_at(s, &format!("{at}/content/{}/schema", esc(media)), counts)?;
            }
        }
    }
    if let Some(headers) = item.get_mut("headers").and_then(|h| h.as_object_mut()) {
        for (name, h) in headers.iter_mut() {
            with_schema(h, &format!("{at}/headers/{}", esc(name)), counts)?;
        }
    }
    Ok(())
}

fn is_null_schema(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.get("type") == Some(&json!("null")) && o.len() == 1)
}

/// One schema and everything nested in it.
fn schema_at(schema: &mut Value, at: &str, counts: &mut Counts) -> Result<()> {
    let Some(obj) = schema.as_object_mut() else {
        return Ok(()); // `true`/`false` schemas pass through (3.0 tools read them as any/none)
    };
    for key in UNSUPPORTED {
        if obj.contains_key(*key) {
            bail!("#{at}/{key}: JSON Schema keyword `{key}` has no OpenAPI 3.0 equivalent");
        }
    }
    // A tuple: 3.0 has no positions, only one `items` schema for every element.
    if let Some(Value::Array(positions)) = obj.remove("prefixItems") {
        if obj.contains_key("items") {
            bail!("#{at}/prefixItems: a tuple with extra `items` cannot be said in OpenAPI 3.0");
        }
        let mut distinct: Vec<Value> = Vec::new();
        for p in positions {
            if !distinct.contains(&p) {
                distinct.push(p);
            }
        }
        let items = match distinct.len() {
            1 => distinct.remove(0),
            _ => json!({"anyOf": distinct}),
        };
        obj.insert("items".into(), items);
        *counts.entry("prefixItems tuple → items anyOf").or_default() += 1;
    }
    // Nested schemas first, so unions see their branches already rewritten.
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(|l| l.as_array_mut()) {
            for (i, s) in list.iter_mut().enumerate() {
                schema_at(s, &format!("{at}/{key}/{i}"), counts)?;
            }
        }
    }
    for key in ["items", "not"] {
        if let Some(s) = obj.get_mut(key) {
            if s.is_array() {
                bail!("#{at}/{key}: a list of schemas here is not OpenAPI 3.0");
            }
            schema_at(s, &format!("{at}/{key}"), counts)?;
        }
    }
    if let Some(s) = obj.get_mut("additionalProperties")
        && s.is_object()
    {
        schema_at(s, &format!("{at}/additionalProperties"), counts)?;
    }
    if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
        for (name, s) in props.iter_mut() {
            schema_at(s, &format!("{at}/properties/{}", esc(name)), counts)?;
        }
    }

    // type: [X, "null"]
    if let Some(Value::Array(types)) = obj.get("type").cloned() {
        let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        let nullable = non_null.len() < types.len();
        match non_null.as_slice() {
            [one] => {
                obj.insert("type".into(), (*one).clone());
                if nullable {
                    obj.insert("nullable".into(), json!(true));
                }
                *counts.entry("type [X, null] → nullable").or_default() += 1;
            }
            _ => bail!("#{at}/type: several types {types:?} cannot be said in OpenAPI 3.0"),
        }
    }
    if obj.get("type") == Some(&json!("null")) && !is_null_union_branch(at) {
        bail!("#{at}/type: a schema that is only `null` cannot be said in OpenAPI 3.0");
    }

    // anyOf / oneOf with a null branch.
    for key in ["anyOf", "oneOf"] {
        let Some(list) = obj.get(key).and_then(|l| l.as_array()).cloned() else {
            continue;
        };
        if !list.iter().any(is_null_schema) {
            continue;
        }
        let rest: Vec<Value> = list.into_iter().filter(|s| !is_null_schema(s)).collect();
        obj.remove(key);
        obj.insert("nullable".into(), json!(true));
        *counts
            .entry("anyOf/oneOf null branch → nullable")
            .or_default() += 1;
        match rest.as_slice() {
            [] => bail!("#{at}/{key}: only a null branch"),
            [single] => {
                *counts
                    .entry("single remaining branch unwrapped")
                    .or_default() += 1;
                unwrap_into(obj, single.clone(), at)?;
            }
            _ => {
                obj.insert(key.into(), Value::Array(rest));
            }
        }
    }

    if let Some(v) = obj.remove("const") {
        obj.insert("enum".into(), json!([v]));
        *counts.entry("const → enum").or_default() += 1;
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = obj.get(exclusive).filter(|v| v.is_number()).cloned() {
            obj.insert(bound.into(), n);
            obj.insert(exclusive.into(), json!(true));
            *counts
                .entry("numeric exclusive bound → 3.0 boolean")
                .or_default() += 1;
        }
    }
    if let Some(Value::Array(examples)) = obj.remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            obj.entry("example").or_insert(first);
        }
        *counts.entry("examples → example").or_default() += 1;
    }
    Ok(())
}

/// `{"type": "null"}` is fine as a union branch (the union rule removes it).
fn is_null_union_branch(at: &str) -> bool {
    let parent = at.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    parent.ends_with("/anyOf") || parent.ends_with("/oneOf")
}

/// Puts the one remaining union branch in place of the union, keeping the schema's own
/// members (description, default, title…).
fn unwrap_into(obj: &mut Map<String, Value>, branch: Value, at: &str) -> Result<()> {
    let Value::Object(branch) = branch else {
        bail!("#{at}: a union branch that is not a schema object");
    };
    if branch.contains_key("$ref") {
        // 3.0 ignores everything beside a $ref: wrap it so `nullable` and the rest count.
        obj.insert("allOf".into(), json!([branch]));
        return Ok(());
    }
    for (k, v) in branch {
        match obj.get(&k) {
            None => {
                obj.insert(k, v);
            }
            Some(existing) if *existing == v => {}
            // The outer schema's own annotation wins over the branch's (a description, say).
            Some(_) if matches!(k.as_str(), "description" | "title" | "default" | "example") => {}
            Some(_) => bail!("#{at}: the union branch's `{k}` conflicts with the schema's own"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(schema: Value) -> (Value, Counts) {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {}, "components": {"schemas": {"S": schema}}});
        let counts = downgrade(&mut doc).unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
        (doc["components"]["schemas"]["S"].clone(), counts)
    }

    fn fails(schema: Value) -> String {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {}, "components": {"schemas": {"S": schema}}});
        downgrade(&mut doc).unwrap_err().to_string()
    }

    #[test]
    fn any_of_with_null_and_one_type_becomes_nullable() {
        let (s, c) = run(json!({"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Name"}));
        assert_eq!(
            s,
            json!({"type": "string", "nullable": true, "title": "Name"})
        );
        assert_eq!(c["anyOf/oneOf null branch → nullable"], 1);
        assert_eq!(c["single remaining branch unwrapped"], 1);
    }

    #[test]
    fn any_of_with_null_and_a_ref_keeps_the_ref_under_all_of() {
        let (s, _) = run(json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]}));
        assert_eq!(
            s,
            json!({"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": true})
        );
    }

    #[test]
    fn one_of_with_null_and_several_branches_stays_a_union() {
        let (s, _) =
            run(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}));
        assert_eq!(
            s,
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let (s, c) = run(json!({"type": ["integer", "null"]}));
        assert_eq!(s, json!({"type": "integer", "nullable": true}));
        assert_eq!(c["type [X, null] → nullable"], 1);
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        let (s, _) = run(json!({"type": "string", "const": "asset"}));
        assert_eq!(s, json!({"type": "string", "enum": ["asset"]}));
    }

    #[test]
    fn numeric_exclusive_bounds_become_booleans() {
        let (s, _) = run(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10}));
        assert_eq!(
            s,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn examples_become_example() {
        let (s, _) = run(json!({"type": "string", "examples": ["a", "b"]}));
        assert_eq!(s, json!({"type": "string", "example": "a"}));
    }

    #[test]
    fn nested_schemas_are_rewritten() {
        let (s, _) = run(json!({"type": "object", "properties": {
            "a": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "b": {"type": "array", "items": {"const": 1}},
            "c": {"additionalProperties": {"type": ["string", "null"]}}
        }}));
        assert_eq!(
            s["properties"]["a"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(s["properties"]["b"]["items"], json!({"enum": [1]}));
        assert_eq!(
            s["properties"]["c"]["additionalProperties"],
            json!({"type": "string", "nullable": true})
        );
    }

    #[test]
    fn parameter_and_response_schemas_are_rewritten_but_media_examples_are_not() {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/x": {
        "get": {"operationId": "x",
            "parameters": [{"name": "q", "in": "query", "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": ["string", "null"]},
                "examples": {"one": {"value": "a"}}
            }}}}}}}});
        let counts = downgrade(&mut doc).unwrap();
        let op = &doc["paths"]["/x"]["get"];
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "integer"}),
            "a parameter has no null on the wire"
        );
        assert_eq!(counts["parameter: null dropped (none on the wire)"], 1);
        let media = &op["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["schema"], json!({"type": "string", "nullable": true}));
        assert_eq!(
            media["examples"],
            json!({"one": {"value": "a"}}),
            "a 3.0 Examples map stays"
        );
    }

    #[test]
    fn a_tuple_becomes_items_of_any_position() {
        let (s, c) = run(json!({"type": "array", "minItems": 2, "maxItems": 2,
            "prefixItems": [{"type": "string"}, {"type": "integer"}]}));
        assert_eq!(
            s,
            json!({"type": "array", "minItems": 2, "maxItems": 2,
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})
        );
        assert_eq!(c["prefixItems tuple → items anyOf"], 1);
    }

    #[test]
    fn unknown_31_constructs_fail_with_their_pointer() {
        assert!(
            fails(json!({"properties": {"p": {"if": {"type": "string"}}}}))
                .starts_with("#/components/schemas/S/properties/p/if:")
        );
        assert!(
            fails(json!({"type": ["string", "integer"]}))
                .starts_with("#/components/schemas/S/type:")
        );
        let mut doc =
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "webhooks": {}});
        assert!(
            downgrade(&mut doc)
                .unwrap_err()
                .to_string()
                .starts_with("#/webhooks:")
        );
    }

    #[test]
    fn license_identifier_becomes_the_name() {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1",
            "license": {"identifier": "Apache-2.0"}}, "paths": {}});
        downgrade(&mut doc).unwrap();
        assert_eq!(doc["info"]["license"], json!({"name": "Apache-2.0"}));
    }
}
