// Generated from worker/src by `npm run build`; do not edit.
var __defProp = Object.defineProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// node_modules/jose/dist/webapi/lib/buffer_utils.js
var encoder = new TextEncoder();
var decoder = new TextDecoder();
var strictDecoder = new TextDecoder("utf-8", { fatal: true });
var UINT32_RANGE = 2 ** 32;
function concat(...buffers) {
  const size = buffers.reduce((acc, { length }) => acc + length, 0), buf = new Uint8Array(size);
  let i = 0;
  for (const buffer of buffers)
    buf.set(buffer, i), i += buffer.length;
  return buf;
}
var NON_ASCII = /[^\x00-\x7f]/;
function encode(string) {
  if (typeof string == "string" && string.length >= 128) {
    if (NON_ASCII.test(string))
      throw new TypeError("non-ASCII string encountered in encode()");
    return encoder.encode(string);
  }
  const bytes = new Uint8Array(string.length);
  for (let i = 0; i < string.length; i++) {
    const code = string.charCodeAt(i);
    if (code > 127)
      throw new TypeError("non-ASCII string encountered in encode()");
    bytes[i] = code;
  }
  return bytes;
}
function decodeBase64(encoded, url = false) {
  if (Uint8Array.fromBase64)
    return Uint8Array.fromBase64(encoded, { alphabet: url ? "base64url" : "base64" });
  if (url) {
    if (encoded.includes("+") || encoded.includes("/"))
      throw new TypeError("Invalid base64url");
    encoded = encoded.replace(/-/g, "+").replace(/_/g, "/");
  }
  const binary = atob(encoded), bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++)
    bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// node_modules/jose/dist/webapi/util/errors.js
var errors_exports = {};
__export(errors_exports, {
  JOSEAlgNotAllowed: () => JOSEAlgNotAllowed,
  JOSEError: () => JOSEError,
  JOSENotSupported: () => JOSENotSupported,
  JWEDecryptionFailed: () => JWEDecryptionFailed,
  JWEInvalid: () => JWEInvalid,
  JWKInvalid: () => JWKInvalid,
  JWKSInvalid: () => JWKSInvalid,
  JWKSMultipleMatchingKeys: () => JWKSMultipleMatchingKeys,
  JWKSNoMatchingKey: () => JWKSNoMatchingKey,
  JWKSTimeout: () => JWKSTimeout,
  JWSInvalid: () => JWSInvalid,
  JWSSignatureVerificationFailed: () => JWSSignatureVerificationFailed,
  JWTClaimValidationFailed: () => JWTClaimValidationFailed,
  JWTExpired: () => JWTExpired,
  JWTInvalid: () => JWTInvalid
});
var JOSEError = class extends Error {
  static code = "ERR_JOSE_GENERIC";
  code = "ERR_JOSE_GENERIC";
  constructor(message2, options) {
    super(message2, options), this.name = this.constructor.name, Error.captureStackTrace?.(this, this.constructor);
  }
};
var JWTClaimValidationFailed = class extends JOSEError {
  static code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
  claim;
  reason;
  payload;
  constructor(message2, payload, claim = "unspecified", reason = "unspecified") {
    super(message2, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
};
var JWTExpired = class extends JOSEError {
  static code = "ERR_JWT_EXPIRED";
  code = "ERR_JWT_EXPIRED";
  claim;
  reason;
  payload;
  constructor(message2, payload, claim = "unspecified", reason = "unspecified") {
    super(message2, { cause: { claim, reason, payload } }), this.claim = claim, this.reason = reason, this.payload = payload;
  }
};
var JOSEAlgNotAllowed = class extends JOSEError {
  static code = "ERR_JOSE_ALG_NOT_ALLOWED";
  code = "ERR_JOSE_ALG_NOT_ALLOWED";
};
var JOSENotSupported = class extends JOSEError {
  static code = "ERR_JOSE_NOT_SUPPORTED";
  code = "ERR_JOSE_NOT_SUPPORTED";
};
var JWEDecryptionFailed = class extends JOSEError {
  static code = "ERR_JWE_DECRYPTION_FAILED";
  code = "ERR_JWE_DECRYPTION_FAILED";
  constructor(message2 = "decryption operation failed", options) {
    super(message2, options);
  }
};
var JWEInvalid = class extends JOSEError {
  static code = "ERR_JWE_INVALID";
  code = "ERR_JWE_INVALID";
};
var JWSInvalid = class extends JOSEError {
  static code = "ERR_JWS_INVALID";
  code = "ERR_JWS_INVALID";
};
var JWTInvalid = class extends JOSEError {
  static code = "ERR_JWT_INVALID";
  code = "ERR_JWT_INVALID";
};
var JWKInvalid = class extends JOSEError {
  static code = "ERR_JWK_INVALID";
  code = "ERR_JWK_INVALID";
};
var JWKSInvalid = class extends JOSEError {
  static code = "ERR_JWKS_INVALID";
  code = "ERR_JWKS_INVALID";
};
var JWKSNoMatchingKey = class extends JOSEError {
  static code = "ERR_JWKS_NO_MATCHING_KEY";
  code = "ERR_JWKS_NO_MATCHING_KEY";
  constructor(message2 = "no applicable key found in the JSON Web Key Set", options) {
    super(message2, options);
  }
};
var JWKSMultipleMatchingKeys = class extends JOSEError {
  [Symbol.asyncIterator] = async function* () {
  };
  static code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
  constructor(message2 = "multiple matching keys found in the JSON Web Key Set", options) {
    super(message2, options);
  }
};
var JWKSTimeout = class extends JOSEError {
  static code = "ERR_JWKS_TIMEOUT";
  code = "ERR_JWKS_TIMEOUT";
  constructor(message2 = "request timed out", options) {
    super(message2, options);
  }
};
var JWSSignatureVerificationFailed = class extends JOSEError {
  static code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  constructor(message2 = "signature verification failed", options) {
    super(message2, options);
  }
};

// node_modules/jose/dist/webapi/util/base64url.js
var invalid = "The input to be decoded is not correctly encoded.";
function decode(input) {
  try {
    return decodeBase64(typeof input == "string" ? input : decoder.decode(input), true);
  } catch (cause) {
    throw new TypeError(invalid, { cause });
  }
}

// node_modules/jose/dist/webapi/lib/validate.js
function isObject(input) {
  if (typeof input != "object" || input === null || Object.prototype.toString.call(input) !== "[object Object]")
    return false;
  const prototype = Object.getPrototypeOf(input);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
function isDisjoint(...headers) {
  const parameters = /* @__PURE__ */ new Set();
  for (const header of headers)
    if (header)
      for (const parameter of Object.keys(header)) {
        if (parameters.has(parameter))
          return false;
        parameters.add(parameter);
      }
  return true;
}
function decodeBase64url(value, label2, ErrorClass) {
  try {
    return decode(value);
  } catch (cause) {
    throw new ErrorClass(`Failed to base64url decode the ${label2}`, { cause });
  }
}
function encodeAsciiMember(value, label2, ErrorClass) {
  try {
    return encode(value);
  } catch (cause) {
    throw new ErrorClass(`The ${label2} is not a valid base64url string`, { cause });
  }
}
function parseJoseHeader(encodedProtectedHeader, ErrorClass, message2) {
  let parsed;
  try {
    parsed = JSON.parse(strictDecoder.decode(decode(encodedProtectedHeader)));
  } catch (cause) {
    throw new ErrorClass(message2, { cause });
  }
  if (!isObject(parsed))
    throw new ErrorClass(message2);
  return parsed;
}
var JWS_RECOGNIZED = { __proto__: null, b64: true };
function validateAlgorithms(option, algorithms) {
  if (algorithms !== void 0 && (!Array.isArray(algorithms) || algorithms.some((s) => typeof s != "string")))
    throw new TypeError(`"${option}" option must be an array of strings`);
  return algorithms === void 0 ? void 0 : new Set(algorithms);
}
function validateCrit(Err, recognizedDefault, recognizedOption, protectedHeader, joseHeader) {
  if (joseHeader.crit !== void 0 && protectedHeader?.crit === void 0)
    throw new Err('"crit" (Critical) Header Parameter MUST be integrity protected');
  if (!protectedHeader || protectedHeader.crit === void 0)
    return [];
  if (!Array.isArray(protectedHeader.crit) || protectedHeader.crit.length === 0 || protectedHeader.crit.some((input) => typeof input != "string" || input.length === 0))
    throw new Err('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  const recognized = recognizedOption === void 0 ? recognizedDefault : { __proto__: null, ...recognizedOption, ...recognizedDefault };
  for (const parameter of protectedHeader.crit) {
    if (!(parameter in recognized))
      throw new JOSENotSupported(`Extension Header Parameter "${parameter}" is not recognized`);
    if (!Object.hasOwn(joseHeader, parameter) || joseHeader[parameter] === void 0)
      throw new Err(`Extension Header Parameter "${parameter}" is missing`);
    if (recognized[parameter] && (!Object.hasOwn(protectedHeader, parameter) || protectedHeader[parameter] === void 0))
      throw new Err(`Extension Header Parameter "${parameter}" MUST be integrity protected`);
  }
  return protectedHeader.crit;
}
function validateB64(protectedHeader, extensions) {
  if (extensions.includes("b64")) {
    const b64 = protectedHeader.b64;
    if (typeof b64 != "boolean")
      throw new JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
    return b64;
  }
  return true;
}

// node_modules/jose/dist/webapi/lib/key.js
var tag = (key) => key[Symbol.toStringTag];
var jwkMatchesOp = (entry, key, usage) => {
  const { alg } = entry;
  if (key.use !== void 0) {
    const expected = usage === "sign" || usage === "verify" ? "sig" : "enc";
    if (key.use !== expected)
      throw new TypeError(`Invalid key for this operation, its "use" must be "${expected}" when present`);
  }
  if (key.kty === "AKP" && key.alg === void 0)
    throw new TypeError('missing "alg" (Algorithm) Parameter value');
  if (key.alg !== void 0 && key.alg !== alg)
    throw new TypeError(`Invalid key for this operation, its "alg" must be "${alg}" when present`);
  if (Array.isArray(key.key_ops)) {
    const expectedKeyOp = usage === "encrypt" || usage === "decrypt" ? entry.ops?.[usage === "encrypt" ? 0 : 1] : usage;
    if (expectedKeyOp && !key.key_ops.includes(expectedKeyOp))
      throw new TypeError(`Invalid key for this operation, its "key_ops" must include "${expectedKeyOp}" when present`);
  }
};
async function prepareKey(entry, key, usage) {
  const { alg, secret } = entry, requiresPrivateKey = usage === "decrypt" || usage === "sign";
  if (secret && key instanceof Uint8Array)
    return key;
  let normalized, keyObject;
  if (isObject(key)) {
    if (normalized = normalizeJwk(key), typeof normalized.kty != "string")
      throw invalidKeyType(alg, key, secret);
    if (!(secret ? normalized.kty === "oct" && typeof normalized.k == "string" : normalized.kty !== "oct" && (requiresPrivateKey ? normalized.kty === "AKP" && typeof normalized.priv == "string" || typeof normalized.d == "string" : normalized.d === void 0 && normalized.priv === void 0)))
      throw new TypeError(secret ? 'JSON Web Key for symmetric algorithms must have JWK "kty" (Key Type) equal to "oct" and the JWK "k" (Key Value) present' : `JSON Web Key for this operation must be a ${requiresPrivateKey ? "private" : "public"} JWK`);
    if (jwkMatchesOp(entry, normalized, usage), normalized.kty === "oct")
      return decode(normalized.k);
    if (!Object.isFrozen(key)) {
      const { key_ops } = key;
      Array.isArray(key_ops) && Object.freeze(key_ops), Object.freeze(key);
    }
  } else {
    if (!isKeyLike(key))
      throw invalidKeyType(alg, key, secret);
    const expectedType = secret ? "secret" : requiresPrivateKey ? "private" : "public";
    if (key.type !== expectedType && (secret || ["secret", "public", "private"].includes(key.type)))
      throw new TypeError(`${tag(key)} instances must be of type "${expectedType}" for the ${alg} algorithm`);
    if (isCryptoKey(key))
      return key;
    if (keyObject = key, keyObject.type === "secret")
      return keyObject.export();
  }
  cache ||= /* @__PURE__ */ new WeakMap();
  const cacheKey = key;
  let cached = cache.get(cacheKey);
  if (cached?.[alg])
    return cached[alg];
  if (cached || cache.set(cacheKey, cached = {}), keyObject && typeof keyObject.toCryptoKey == "function") {
    const isPublic = keyObject.type === "public", crv = nist[keyObject.asymmetricKeyDetails?.namedCurve], params = entry.resolve?.({ crv, asymmetricKeyType: keyObject.asymmetricKeyType }) ?? entry.subtle;
    return cached[alg] = keyObject.toCryptoKey(params, isPublic, entry.usages[isPublic ? 0 : 1]);
  }
  return normalized ??= keyObject.export({ format: "jwk" }), normalized.alg = alg, cached[alg] = await jwkToKey(entry, normalized);
}
var cache;
var nist = {
  __proto__: null,
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521"
};
var isCryptoKey = (key) => {
  if (key?.[Symbol.toStringTag] === "CryptoKey")
    return true;
  try {
    return key instanceof CryptoKey;
  } catch {
    return false;
  }
};
var isKeyObject = (key) => key?.[Symbol.toStringTag] === "KeyObject";
var isKeyLike = (key) => isCryptoKey(key) || isKeyObject(key);
function message(msg, actual, ...types) {
  if (types.length > 2) {
    const last = types.pop();
    msg += `one of type ${types.join(", ")}, or ${last}.`;
  } else types.length === 2 ? msg += `one of type ${types[0]} or ${types[1]}.` : msg += `of type ${types[0]}.`;
  return actual == null ? msg += ` Received ${actual}` : typeof actual == "function" && actual.name ? msg += ` Received function ${actual.name}` : typeof actual == "object" && actual != null && actual.constructor?.name && (msg += ` Received an instance of ${actual.constructor.name}`), msg;
}
function invalidKeyType(alg, actual, secret) {
  const types = ["CryptoKey", "KeyObject", "JSON Web Key"];
  return secret && types.push("Uint8Array"), new TypeError(message(`Key for the ${alg} algorithm must be `, actual, ...types));
}
var unusable = (name, prop = "algorithm.name") => new TypeError(`CryptoKey does not support this operation, its ${prop} must be ${name}`);
function checkUsage(key, usage) {
  if (usage && !key.usages.includes(usage))
    throw new TypeError(`CryptoKey does not support this operation, its usages must include ${usage}.`);
}
function checkModulusLength(alg, key) {
  const { modulusLength } = key.algorithm;
  if (typeof modulusLength != "number" || modulusLength < 2048)
    throw new TypeError(`${alg} requires key modulusLength to be 2048 bits or larger`);
}
function checkCryptoKey(key, expected, usage) {
  const algorithm = key.algorithm;
  if (algorithm.name !== expected.name)
    throw unusable(expected.name);
  if (expected.hash && algorithm.hash?.name !== expected.hash)
    throw unusable(expected.hash, "algorithm.hash");
  if (expected.namedCurve && algorithm.namedCurve !== expected.namedCurve)
    throw unusable(expected.namedCurve, "algorithm.namedCurve");
  if (expected.length !== void 0 && algorithm.length !== expected.length)
    throw unusable(expected.length, "algorithm.length");
  checkUsage(key, usage);
}
function snapshotJwk(jwk) {
  return { __proto__: null, ...jwk };
}
function normalizeJwk(jwk) {
  const normalized = snapshotJwk(jwk);
  if (normalized.ext !== void 0 && typeof normalized.ext != "boolean")
    throw new TypeError('"ext" (Extractable) Parameter must be a boolean');
  if (normalized.key_ops !== void 0) {
    const value = normalized.key_ops, keyOps = Array.isArray(value) ? [...value] : void 0;
    if (!keyOps || keyOps.some((operation) => typeof operation != "string") || new Set(keyOps).size !== keyOps.length)
      throw new TypeError('"key_ops" (Key Operations) Parameter must be an array of unique strings');
    normalized.key_ops = keyOps;
  }
  return normalized;
}
function validateExtractableOption(extractable) {
  if (extractable !== void 0 && typeof extractable != "boolean")
    throw new TypeError('"extractable" option must be a boolean');
  return extractable;
}
async function jwkToKey(entry, jwk, extractable) {
  if (!entry.kty.includes(jwk.kty))
    throw new JOSENotSupported('Invalid or unsupported JWK "alg" (Algorithm) Parameter value');
  const algorithm = entry.resolve?.({ kty: jwk.kty, crv: jwk.crv }) ?? entry.subtle, isPrivate = !!(jwk.d || jwk.priv), keyData = { ...jwk, ext: extractable ?? jwk.ext };
  return keyData.kty !== "AKP" && delete keyData.alg, delete keyData.use, crypto.subtle.importKey("jwk", keyData, algorithm, keyData.ext ?? !isPrivate, jwk.key_ops ?? entry.usages[isPrivate ? 1 : 0]);
}
async function rawKey(key, expected, usage, extractable = false) {
  return key instanceof Uint8Array && (key = await crypto.subtle.importKey("raw", key, expected, extractable, [usage])), checkCryptoKey(key, expected, usage), key;
}

// node_modules/jose/dist/webapi/lib/key_descriptor.js
function table(entries) {
  const out = { __proto__: null };
  for (const alg in entries)
    out[alg] = { ...entries[alg], alg };
  return out;
}

// node_modules/jose/dist/webapi/lib/jwe_algorithms.js
var wrap = [
  ["encrypt", "wrapKey"],
  ["decrypt", "unwrapKey"]
];
var derive = [[], ["deriveBits"]];
var none = [[], []];
function rsaes(bits) {
  return {
    kty: ["RSA"],
    mode: "key-encryption",
    subtle: { name: "RSA-OAEP", hash: `SHA-${bits}` },
    usages: wrap,
    ops: ["wrapKey", "unwrapKey"]
  };
}
function ecdh(mode) {
  return {
    kty: ["EC", "OKP"],
    mode,
    subtle: { name: "ECDH" },
    resolve: ({ kty, crv, asymmetricKeyType }) => {
      if (crv === "X25519" || asymmetricKeyType === "x25519")
        return { name: "X25519" };
      if (kty === "OKP")
        throw new JOSENotSupported('Invalid or unsupported JWK "alg" (Algorithm) Parameter value');
      return { name: "ECDH", namedCurve: crv };
    },
    usages: derive,
    ops: [void 0, "deriveBits"]
  };
}
function aeskw(bits, gcm = false) {
  return {
    kty: ["oct"],
    mode: "key-wrapping",
    secret: true,
    subtle: { name: gcm ? "AES-GCM" : "AES-KW", length: bits },
    usages: none,
    ops: gcm ? ["encrypt", "decrypt"] : ["wrapKey", "unwrapKey"]
  };
}
function pbes2() {
  return {
    kty: ["oct"],
    mode: "key-wrapping",
    secret: true,
    subtle: { name: "PBKDF2" },
    usages: none,
    ops: ["deriveBits", "deriveBits"]
  };
}
var JWE = table({
  dir: {
    kty: ["oct"],
    mode: "direct-encryption",
    secret: true,
    subtle: { name: "AES-GCM" },
    usages: none,
    ops: ["encrypt", "decrypt"]
  },
  "RSA-OAEP": rsaes(1),
  "RSA-OAEP-256": rsaes(256),
  "RSA-OAEP-384": rsaes(384),
  "RSA-OAEP-512": rsaes(512),
  "ECDH-ES": ecdh("direct-key-agreement"),
  "ECDH-ES+A128KW": ecdh("key-agreement-with-key-wrapping"),
  "ECDH-ES+A192KW": ecdh("key-agreement-with-key-wrapping"),
  "ECDH-ES+A256KW": ecdh("key-agreement-with-key-wrapping"),
  A128KW: aeskw(128),
  A192KW: aeskw(192),
  A256KW: aeskw(256),
  A128GCMKW: aeskw(128, true),
  A192GCMKW: aeskw(192, true),
  A256GCMKW: aeskw(256, true),
  "PBES2-HS256+A128KW": pbes2(),
  "PBES2-HS384+A192KW": pbes2(),
  "PBES2-HS512+A256KW": pbes2()
});
var contentOps = ["encrypt", "decrypt"];
function contentEncryption(bits, cbc = false) {
  return {
    kty: ["oct"],
    secret: true,
    subtle: { name: cbc ? "AES-CBC" : "AES-GCM", length: bits },
    usages: none,
    ops: contentOps,
    cekBits: bits,
    ivBits: cbc ? 128 : 96,
    cbc
  };
}
var ENC = table({
  A128GCM: contentEncryption(128),
  A192GCM: contentEncryption(192),
  A256GCM: contentEncryption(256),
  "A128CBC-HS256": contentEncryption(256, true),
  "A192CBC-HS384": contentEncryption(384, true),
  "A256CBC-HS512": contentEncryption(512, true)
});

// node_modules/jose/dist/webapi/lib/jws_algorithms.js
var sig = [["verify"], ["sign"]];
function hmac(bits) {
  const subtle = { name: "HMAC", hash: `SHA-${bits}` };
  return { kty: ["oct"], secret: true, subtle, signing: subtle, usages: sig };
}
function rsa(bits, saltLength) {
  const subtle = { name: saltLength ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", hash: `SHA-${bits}` };
  return {
    kty: ["RSA"],
    subtle,
    signing: saltLength ? { ...subtle, saltLength } : subtle,
    usages: sig,
    minRsaBits: 2048
  };
}
function ecdsa(crv, bits) {
  return {
    kty: ["EC"],
    crv,
    subtle: { name: "ECDSA", namedCurve: crv },
    signing: { name: "ECDSA", hash: `SHA-${bits}` },
    usages: sig
  };
}
function eddsa() {
  const subtle = { name: "Ed25519" };
  return {
    kty: ["OKP"],
    crv: "Ed25519",
    subtle,
    signing: subtle,
    usages: sig
  };
}
function mldsa(parameterSet) {
  const subtle = { name: `ML-DSA-${parameterSet}` };
  return {
    kty: ["AKP"],
    subtle,
    signing: subtle,
    usages: sig
  };
}
var JWS = table({
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
  RS256: rsa(256),
  RS384: rsa(384),
  RS512: rsa(512),
  PS256: rsa(256, 32),
  PS384: rsa(384, 48),
  PS512: rsa(512, 64),
  ES256: ecdsa("P-256", 256),
  ES384: ecdsa("P-384", 384),
  ES512: ecdsa("P-521", 512),
  EdDSA: eddsa(),
  Ed25519: eddsa(),
  "ML-DSA-44": mldsa(44),
  "ML-DSA-65": mldsa(65),
  "ML-DSA-87": mldsa(87)
});
function jwsAlgorithm(alg) {
  const entry = typeof alg == "string" ? JWS[alg] : void 0;
  if (!entry)
    throw new JOSENotSupported(`alg ${alg} is not supported either by JOSE or your javascript runtime`);
  return entry;
}

// node_modules/jose/dist/webapi/lib/jws_verify.js
function prepareVerify(options) {
  return [options && validateAlgorithms("algorithms", options.algorithms), options?.crit];
}
function parseProtectedHeader(encodedProtectedHeader) {
  return encodedProtectedHeader === void 0 ? {} : parseJoseHeader(encodedProtectedHeader, JWSInvalid, "JWS Protected Header is invalid");
}
function encodeCompactUnencodedPayload(payload) {
  try {
    return encode(payload);
  } catch (cause) {
    throw new JWSInvalid("JWS Compact Serialization payload must use only ASCII characters", {
      cause
    });
  }
}
async function verifySignature(jws, shared, key, encodeUnencodedPayload, parsedProtected) {
  const { protected: encodedProtectedHeader, header, payload: inputPayload } = jws, protectedHeader = parsedProtected ?? parseProtectedHeader(encodedProtectedHeader);
  if (!isDisjoint(protectedHeader, header))
    throw new JWSInvalid("JWS Protected and JWS Unprotected Header Parameter names must be disjoint");
  const joseHeader = { ...protectedHeader, ...header }, b64 = validateB64(protectedHeader, validateCrit(JWSInvalid, JWS_RECOGNIZED, shared[1], protectedHeader, joseHeader)), { alg } = joseHeader;
  if (typeof alg != "string" || !alg)
    throw new JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  if (shared[0] && !shared[0].has(alg))
    throw new JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  if (b64) {
    if (typeof inputPayload != "string")
      throw new JWSInvalid("JWS Payload must be a string");
  } else if (typeof inputPayload != "string" && !(inputPayload instanceof Uint8Array))
    throw new JWSInvalid("JWS Payload must be a string or an Uint8Array instance");
  const signingPayload = b64 || typeof inputPayload != "string" ? inputPayload : encodeUnencodedPayload(inputPayload);
  let resolvedKey = false;
  typeof key == "function" && (key = await key(protectedHeader, jws), resolvedKey = true);
  const entry = jwsAlgorithm(alg), signingInput = concat(encodedProtectedHeader !== void 0 ? encode(encodedProtectedHeader) : new Uint8Array(), encode("."), typeof signingPayload == "string" ? shared[2] ??= encodeAsciiMember(signingPayload, "payload", JWSInvalid) : signingPayload), signature = decodeBase64url(jws.signature, "signature", JWSInvalid), verificationKey = await prepareKey(entry, key, "verify"), cryptoKey = await rawKey(verificationKey, entry.subtle, "verify");
  entry.minRsaBits && checkModulusLength(entry.alg, cryptoKey);
  let verified = false;
  try {
    verified = await crypto.subtle.verify(entry.signing, cryptoKey, signature, signingInput);
  } catch (cause) {
    throw new JWSSignatureVerificationFailed(void 0, { cause });
  }
  if (!verified)
    throw new JWSSignatureVerificationFailed();
  const result = { payload: typeof signingPayload == "string" ? decodeBase64url(signingPayload, "payload", JWSInvalid) : signingPayload };
  return encodedProtectedHeader !== void 0 && (result.protectedHeader = protectedHeader), header !== void 0 && (result.unprotectedHeader = header), resolvedKey ? [{ ...result, key: verificationKey }, b64] : [result, b64];
}
async function verifyCompact(jws, shared, key) {
  if (jws instanceof Uint8Array && (jws = decoder.decode(jws)), typeof jws != "string")
    throw new JWSInvalid("Compact JWS must be a string or Uint8Array");
  const { 0: protectedHeader, 1: payload, 2: signature, length } = jws.split(".");
  if (length !== 3)
    throw new JWSInvalid("Invalid Compact JWS");
  return verifySignature({ payload, protected: protectedHeader, signature }, shared, key, encodeCompactUnencodedPayload);
}

// node_modules/jose/dist/webapi/lib/jwt_claims_set.js
var epoch = (date) => Math.floor(date.getTime() / 1e3);
var multipliers = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31557600
};
var REGEX = /^(\+|\-)? ?(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)(?: (ago|from now))?$/i;
var checkFailed = "check_failed";
function invalidDuration() {
  throw new TypeError("Invalid time period format");
}
function secs(str) {
  typeof str != "string" && invalidDuration();
  const matched = REGEX.exec(str);
  (!matched || matched[4] && matched[1]) && invalidDuration();
  const value = parseFloat(matched[2]), durationSeconds = Math.round(value * multipliers[matched[3][0].toLowerCase()]);
  return Number.isFinite(durationSeconds) || invalidDuration(), matched[1] === "-" || matched[4]?.toLowerCase() === "ago" ? -durationSeconds : durationSeconds;
}
function validateInput(label2, input) {
  if (!Number.isFinite(input))
    throw new TypeError(`Invalid ${label2} input`);
  return input;
}
var normalizeTyp = (value) => {
  const normalized = value.toLowerCase();
  return value.includes("/") ? normalized : `application/${normalized}`;
};
var checkAudiencePresence = (audPayload, audOption) => {
  if (typeof audOption == "string")
    audOption = [audOption];
  else if (!Array.isArray(audOption))
    return false;
  return typeof audPayload == "string" ? audOption.includes(audPayload) : Array.isArray(audPayload) ? audOption.some((aud) => typeof aud == "string" && audPayload.includes(aud)) : false;
};
function validateNumericDate(claimsSet, claim, required = false) {
  const value = claimsSet[claim];
  if (!(value === void 0 && !required)) {
    if (typeof value != "number")
      throw new JWTClaimValidationFailed(`"${claim}" claim must be a number`, claimsSet, claim, "invalid");
    return value;
  }
}
function unexpectedClaim(claimsSet, claim) {
  throw new JWTClaimValidationFailed(`unexpected "${claim}" claim value`, claimsSet, claim, checkFailed);
}
function validateClaimsSet(protectedHeader, claimsSetBytes, options = {}) {
  let claimsSet;
  try {
    claimsSet = JSON.parse(strictDecoder.decode(claimsSetBytes));
  } catch (cause) {
    throw new JWTInvalid("JWT Claims Set must be a top-level JSON object", { cause });
  }
  if (!isObject(claimsSet))
    throw new JWTInvalid("JWT Claims Set must be a top-level JSON object");
  const { typ } = options;
  if (typ !== void 0 && (typeof protectedHeader.typ != "string" || normalizeTyp(protectedHeader.typ) !== normalizeTyp(typ)))
    throw new JWTClaimValidationFailed('unexpected "typ" JWT header value', claimsSet, "typ", checkFailed);
  const { requiredClaims = [], issuer, subject, audience, maxTokenAge } = options, presenceCheck = [...requiredClaims];
  maxTokenAge !== void 0 && presenceCheck.push("iat"), audience !== void 0 && presenceCheck.push("aud"), subject !== void 0 && presenceCheck.push("sub"), issuer !== void 0 && presenceCheck.push("iss");
  for (const claim of new Set(presenceCheck.reverse()))
    if (!Object.hasOwn(claimsSet, claim))
      throw new JWTClaimValidationFailed(`missing required "${claim}" claim`, claimsSet, claim, "missing");
  issuer !== void 0 && !(Array.isArray(issuer) ? issuer : [issuer]).includes(claimsSet.iss) && unexpectedClaim(claimsSet, "iss"), subject !== void 0 && claimsSet.sub !== subject && unexpectedClaim(claimsSet, "sub"), audience !== void 0 && !checkAudiencePresence(claimsSet.aud, audience) && unexpectedClaim(claimsSet, "aud");
  const { clockTolerance } = options;
  let tolerance = 0;
  if (typeof clockTolerance == "string")
    tolerance = secs(clockTolerance);
  else if (clockTolerance !== void 0) {
    if (typeof clockTolerance != "number")
      throw new TypeError("Invalid clockTolerance option type");
    tolerance = clockTolerance;
  }
  if (validateInput("clockTolerance option", tolerance), tolerance < 0)
    throw new TypeError("Invalid clockTolerance option input");
  const { currentDate } = options, now = validateInput("currentDate option", epoch(currentDate === void 0 ? /* @__PURE__ */ new Date() : currentDate)), iat = validateNumericDate(claimsSet, "iat", maxTokenAge !== void 0), nbf = validateNumericDate(claimsSet, "nbf");
  if (nbf !== void 0 && nbf > now + tolerance)
    throw new JWTClaimValidationFailed('"nbf" claim timestamp check failed', claimsSet, "nbf", checkFailed);
  const exp = validateNumericDate(claimsSet, "exp");
  if (exp !== void 0 && exp <= now - tolerance)
    throw new JWTExpired('"exp" claim timestamp check failed', claimsSet, "exp", checkFailed);
  if (maxTokenAge !== void 0) {
    const age = now - iat, max = validateInput("maxTokenAge option", typeof maxTokenAge == "number" ? maxTokenAge : secs(maxTokenAge));
    if (max < 0)
      throw new TypeError("Invalid maxTokenAge option input");
    if (age - tolerance > max)
      throw new JWTExpired('"iat" claim timestamp check failed (too far in the past)', claimsSet, "iat", checkFailed);
    if (age < -tolerance)
      throw new JWTClaimValidationFailed('"iat" claim timestamp check failed (it should be in the past)', claimsSet, "iat", checkFailed);
  }
  return claimsSet;
}

// node_modules/jose/dist/webapi/jwt/verify.js
async function jwtVerify(jwt, key, options) {
  const [verified, b64] = await verifyCompact(jwt, prepareVerify(options), key);
  if (!b64)
    throw new JWTInvalid("JWTs MUST NOT use unencoded payload");
  const payload = validateClaimsSet(verified.protectedHeader, verified.payload, options);
  return { ...verified, payload };
}

// node_modules/jose/dist/webapi/lib/key_algorithm.js
var algArgument = '"alg" (Algorithm)';
function unsupportedAlg(source = 'JWK "alg" (Algorithm) Parameter') {
  throw new JOSENotSupported(`Invalid or unsupported ${source} value`);
}
function keyAlgorithm(alg, source) {
  return (typeof alg == "string" ? JWS[alg] ?? JWE[alg] : void 0) ?? unsupportedAlg(source);
}

// node_modules/jose/dist/webapi/lib/asn1.js
var bytesEqual = (a, b) => {
  if (a.byteLength !== b.length)
    return false;
  for (let i = 0; i < a.byteLength; i++)
    if (a[i] !== b[i])
      return false;
  return true;
};
var createASN1State = (data) => ({ data, pos: 0 });
var readByte = (state) => {
  const byte = state.data[state.pos++];
  if (byte === void 0)
    throw new Error("Unexpected end of ASN.1 input");
  return byte;
};
var parseLength = (state) => {
  const first = readByte(state);
  if (first & 128) {
    const lengthOfLen = first & 127;
    let length = 0;
    for (let i = 0; i < lengthOfLen; i++)
      length = length << 8 | readByte(state);
    return length;
  }
  return first;
};
var expectTag = (state, expectedTag, errorMessage) => {
  if (readByte(state) !== expectedTag)
    throw new Error(errorMessage);
};
var getSubarray = (state, length) => {
  if (length < 0 || state.pos + length > state.data.length)
    throw new Error("Unexpected end of ASN.1 input");
  const result = state.data.subarray(state.pos, state.pos + length);
  return state.pos += length, result;
};
var parseAlgorithmOID = (state) => {
  expectTag(state, 6, "Expected algorithm OID");
  const oidLen = parseLength(state);
  return getSubarray(state, oidLen);
};
function parseKeyHeader(state, keyFormat) {
  if (expectTag(state, 48, `Invalid ${keyFormat === "spki" ? "SPKI" : "PKCS#8"} structure`), parseLength(state), keyFormat === "pkcs8") {
    expectTag(state, 2, "Expected version field");
    const length = parseLength(state);
    state.pos += length;
  }
  expectTag(state, 48, "Expected algorithm identifier"), parseLength(state);
}
var parseECAlgorithmIdentifier = (state) => {
  const algOid = parseAlgorithmOID(state);
  if (bytesEqual(algOid, [43, 101, 110]))
    return "X25519";
  if (!bytesEqual(algOid, [42, 134, 72, 206, 61, 2, 1]))
    throw new Error("Unsupported key algorithm");
  expectTag(state, 6, "Expected curve OID");
  const curveOidLen = parseLength(state), curveOid = getSubarray(state, curveOidLen);
  if (bytesEqual(curveOid, [42, 134, 72, 206, 61, 3, 1, 7]))
    return "P-256";
  if (bytesEqual(curveOid, [43, 129, 4, 0, 34]))
    return "P-384";
  if (bytesEqual(curveOid, [43, 129, 4, 0, 35]))
    return "P-521";
  throw new Error("Unsupported named curve");
};
var genericImport = async (keyFormat, keyData, alg, options) => {
  const extractable = validateExtractableOption(options?.extractable), entry = keyAlgorithm(alg, algArgument);
  entry.secret && unsupportedAlg(algArgument);
  const isPublic = keyFormat === "spki";
  let algorithm;
  if (entry.resolve)
    try {
      const state = createASN1State(keyData);
      parseKeyHeader(state, keyFormat), algorithm = entry.resolve({ crv: parseECAlgorithmIdentifier(state) });
    } catch (cause) {
      throw new JOSENotSupported("Invalid or unsupported key format", { cause });
    }
  else
    algorithm = entry.subtle;
  return crypto.subtle.importKey(keyFormat, keyData, algorithm, extractable ?? isPublic, entry.usages[isPublic ? 0 : 1]);
};
var processPEMData = (pem, pattern) => decodeBase64(pem.replace(pattern, ""));
var fromSPKI = (pem, alg, options) => {
  const keyData = processPEMData(pem, /(?:-----(?:BEGIN|END) PUBLIC KEY-----|\s)/g);
  return genericImport("spki", keyData, alg, options);
};

// node_modules/jose/dist/webapi/key/import.js
async function importSPKI(spki, alg, options) {
  if (typeof spki != "string" || spki.indexOf("-----BEGIN PUBLIC KEY-----") !== 0)
    throw new TypeError('"spki" must be SPKI formatted string');
  return fromSPKI(spki, alg, options);
}

// src/errors.ts
var HttpError = class extends Error {
  constructor(status, code, message2, headers = {}) {
    super(message2);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
  status;
  code;
  headers;
  name = "HttpError";
};
function internalError() {
  return new HttpError(500, "internal", "internal error");
}
function jsonResponse(body, status = 200, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers }
  });
}
function errorResponse(error) {
  const known = error instanceof HttpError ? error : logUnexpected(error);
  const body = { error: { code: known.code, message: known.message } };
  return jsonResponse(body, known.status, known.headers);
}
function logUnexpected(error) {
  console.error("unexpected error", error);
  return internalError();
}

// src/auth.ts
var ISSUER = "dapr.io/cloudflare";
var CLOCK_TOLERANCE_SECONDS = 300;
var cachedKey;
var loggedMisconfigurations = /* @__PURE__ */ new Set();
async function authenticate(request, env) {
  if (env.SKIP_AUTH === "true") {
    return;
  }
  const { pem, audience } = authSettings(env);
  const token = bearerToken(request);
  const key = await publicKey(pem);
  try {
    await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      audience,
      issuer: ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp"]
    });
  } catch (error) {
    throw unauthorized(reasonFor(error));
  }
}
function authSettings(env) {
  if (!env.PUBLIC_KEY) {
    throw misconfigured("PUBLIC_KEY is not set");
  }
  if (!env.TOKEN_AUDIENCE) {
    throw misconfigured("TOKEN_AUDIENCE is not set");
  }
  return { pem: env.PUBLIC_KEY, audience: env.TOKEN_AUDIENCE };
}
function bearerToken(request) {
  const header = request.headers.get("Authorization")?.trim() ?? "";
  const token = /^bearer\s/i.test(header) ? header.slice(7).trim() : header;
  if (!token) {
    throw unauthorized("missing token: send Authorization: Bearer <JWT>");
  }
  return token;
}
async function publicKey(pem) {
  if (cachedKey?.pem !== pem) {
    cachedKey = { pem, key: importSPKI(pem, "EdDSA") };
  }
  try {
    return await cachedKey.key;
  } catch {
    throw misconfigured("PUBLIC_KEY is not an Ed25519 public key in SPKI PEM form");
  }
}
function reasonFor(error) {
  if (error instanceof errors_exports.JWTExpired) {
    return "token expired";
  }
  if (error instanceof errors_exports.JWTClaimValidationFailed) {
    return `token claim "${error.claim}" is not accepted by this Worker`;
  }
  if (error instanceof errors_exports.JWSSignatureVerificationFailed) {
    return "token signature does not match this Worker's public key";
  }
  return "invalid token";
}
function unauthorized(message2) {
  return new HttpError(401, "unauthorized", message2, { "WWW-Authenticate": "Bearer" });
}
function misconfigured(reason) {
  if (!loggedMisconfigurations.has(reason)) {
    loggedMisconfigurations.add(reason);
    console.error(`worker misconfigured: ${reason}`);
  }
  return internalError();
}

// src/router.ts
async function dispatch(routes, request, env) {
  const url = new URL(request.url);
  const segments = url.pathname.split("/").slice(1);
  for (const route of routes) {
    const params = route.method === request.method ? matchPath(route.path, segments) : void 0;
    if (params) {
      return route.handler({ request, env, url, params });
    }
  }
  throw new HttpError(404, "not_found", `no route for ${request.method} ${url.pathname}`);
}
function matchPath(path, segments) {
  const pattern = path.split("/").slice(1);
  if (pattern.length !== segments.length) {
    return void 0;
  }
  const params = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith(":")) {
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return void 0;
    }
  }
  return params;
}

// src/base64.ts
var CHUNK = 32768;
function encodeBase642(bytes) {
  let binary = "";
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}
function decodeBase642(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) {
    bytes[index] = binary.charCodeAt(index);
  }
  return bytes;
}

// src/kv/namespaces.ts
function isKvNamespace(binding) {
  if (typeof binding !== "object" || binding === null) {
    return false;
  }
  const methods = ["get", "getWithMetadata", "put", "delete", "list"];
  return methods.every((name) => typeof Reflect.get(binding, name) === "function");
}
function kvBindingNames(env) {
  return Object.keys(env).filter((name) => isKvNamespace(env[name])).sort();
}
function namespaceFor(env, name) {
  const binding = Object.hasOwn(env, name) ? env[name] : void 0;
  if (!isKvNamespace(binding)) {
    const message2 = `KV namespace "${name}" is not bound to this Worker; redeploy it with that binding`;
    throw new HttpError(412, "namespace_not_bound", message2);
  }
  return binding;
}

// src/kv/calls.ts
async function kvCall(call) {
  try {
    return await call();
  } catch (error) {
    throw translateKvError(error);
  }
}
function translateKvError(error) {
  const message2 = error instanceof Error ? error.message : "";
  if (/\b429\b/.test(message2)) {
    const text = "Workers KV allows about one write per second to the same key; retry later";
    return new HttpError(429, "rate_limited", text, { "Retry-After": "1" });
  }
  if (/\b413\b/.test(message2)) {
    const text = "the request exceeds a Workers KV size limit (25 MiB in one multi-key read)";
    return new HttpError(413, "too_large", text);
  }
  return error;
}

// src/kv/metadata.ts
var strictDecoder2 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function metadataFor(bytes, options) {
  const metadata = {};
  if (options.contentType !== void 0) {
    metadata.ct = options.contentType;
  }
  if (options.ttl !== void 0) {
    metadata.exp = Math.floor(Date.now() / 1e3) + options.ttl;
  }
  if (isIntactAsText(bytes)) {
    metadata.utf8 = true;
  }
  return Object.keys(metadata).length > 0 ? metadata : void 0;
}
function isMarkedText(metadata) {
  return isObject2(metadata) && metadata.utf8 === true;
}
function storedValue(bytes, metadata) {
  const value = { bytes };
  const fields = isObject2(metadata) ? metadata : {};
  if (typeof fields.ct === "string") {
    value.contentType = fields.ct;
  }
  if (typeof fields.exp === "number") {
    value.expiration = fields.exp;
  }
  return value;
}
function isObject2(value) {
  return typeof value === "object" && value !== null;
}
function isIntactAsText(bytes) {
  const bom = bytes[0] === 239 && bytes[1] === 187 && bytes[2] === 191;
  if (bom) {
    return false;
  }
  try {
    strictDecoder2.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// src/kv/store.ts
var encoder2 = new TextEncoder();
async function writeValue(namespace, key, bytes, options = {}) {
  const metadata = metadataFor(bytes, options);
  const putOptions = {};
  if (options.ttl !== void 0) {
    putOptions.expirationTtl = options.ttl;
  }
  if (metadata) {
    putOptions.metadata = metadata;
  }
  await kvCall(() => namespace.put(key, bytes, putOptions));
}
async function readValue(namespace, key) {
  const found = await kvCall(() => namespace.getWithMetadata(key, "arrayBuffer"));
  if (found.value === null) {
    return null;
  }
  return storedValue(new Uint8Array(found.value), found.metadata);
}
async function readValues(namespace, keys) {
  const unique = [...new Set(keys)];
  if (unique.length === 0) {
    return /* @__PURE__ */ new Map();
  }
  const found = await kvCall(() => namespace.getWithMetadata(unique, "text"));
  const read = (key) => fromTextRead(namespace, key, found.get(key));
  const values = await Promise.all(unique.map(read));
  return new Map(unique.map((key, index) => [key, values[index] ?? null]));
}
async function deleteValue(namespace, key) {
  await kvCall(() => namespace.delete(key));
}
async function listKeys(namespace, options) {
  const page = await kvCall(() => namespace.list(options));
  return {
    keys: page.keys.map((entry) => entry.name),
    cursor: page.list_complete ? null : page.cursor,
    complete: page.list_complete
  };
}
async function deletePage(namespace, prefix, limit) {
  const page = await listKeys(namespace, { prefix, cursor: null, limit });
  await Promise.all(page.keys.map((key) => deleteValue(namespace, key)));
  return { deleted: page.keys.length, complete: page.complete };
}
async function fromTextRead(namespace, key, entry) {
  if (entry === null || entry === void 0) {
    return null;
  }
  const { value, metadata } = isObject2(entry) ? entry : {};
  if (typeof value === "string" && isMarkedText(metadata)) {
    return storedValue(encoder2.encode(value), metadata);
  }
  return readValue(namespace, key);
}

// src/kv/validation.ts
var MAX_KEY_BYTES = 512;
var MIN_TTL_SECONDS = 60;
var MAX_TTL_SECONDS = 2147483647;
var MAX_CONTENT_TYPE_BYTES = 256;
var MAX_VALUE_BYTES = 25 * 1024 * 1024;
var TTL_RANGE = `a whole number of seconds from ${MIN_TTL_SECONDS} (the Workers KV minimum) to ${MAX_TTL_SECONDS}`;
var encoder3 = new TextEncoder();
function validateKey(key, where = "") {
  if (typeof key !== "string" || key === "") {
    throw invalid2("invalid_key", `${where}key must be a non-empty string`);
  }
  if (key === "." || key === "..") {
    throw invalid2("invalid_key", `${where}key must not be "." or ".."`);
  }
  const size = encoder3.encode(key).byteLength;
  if (size > MAX_KEY_BYTES) {
    const limit = `Workers KV keys are at most ${MAX_KEY_BYTES} bytes in their escaped form`;
    throw invalid2("invalid_key", `${where}key is ${size} bytes; ${limit}`);
  }
  return key;
}
function parseTtlParam(text) {
  if (text === null) {
    return void 0;
  }
  const ttl = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  return validateTtl(ttl, "", text);
}
function validateTtl(ttl, where = "", shown = String(ttl)) {
  if (ttl === void 0 || ttl === null) {
    return void 0;
  }
  const inRange = typeof ttl === "number" && ttl >= MIN_TTL_SECONDS && ttl <= MAX_TTL_SECONDS;
  if (!inRange || !Number.isInteger(ttl)) {
    throw invalid2("invalid_ttl", `${where}ttl must be ${TTL_RANGE}, got ${JSON.stringify(shown)}`);
  }
  return ttl;
}
function validateContentType(contentType, where = "") {
  if (contentType === void 0 || contentType === null || contentType === "") {
    return void 0;
  }
  if (typeof contentType !== "string") {
    throw invalid2("invalid_content_type", `${where}ct must be a string`);
  }
  const size = encoder3.encode(contentType).byteLength;
  if (size > MAX_CONTENT_TYPE_BYTES) {
    const limit = `at most ${MAX_CONTENT_TYPE_BYTES} bytes`;
    throw invalid2("invalid_content_type", `${where}content type is ${size} bytes; ${limit}`);
  }
  return contentType;
}
function validateValueSize(size, where = "") {
  if (size > MAX_VALUE_BYTES) {
    const limit = `Workers KV values are at most ${MAX_VALUE_BYTES} bytes (25 MiB)`;
    throw new HttpError(413, "too_large", `${where}value is ${size} bytes; ${limit}`);
  }
}
function invalid2(code, message2) {
  return new HttpError(400, code, message2);
}

// src/routes/batch.ts
var MAX_BATCH_ITEMS = 100;
var OPERATIONS = ["get", "set", "delete"];
async function postBatch({ request, env, params }) {
  const namespace = namespaceFor(env, params.ns ?? "");
  const [operation, items] = await readBatch(request);
  switch (operation) {
    case "get":
      return jsonResponse({ items: await batchGet(namespace, items.map(keyAt("get"))) });
    case "set":
      await batchSet(namespace, items.map(writeAt));
      return jsonResponse({});
    case "delete":
      await batchDelete(namespace, items.map(keyAt("delete")));
      return jsonResponse({});
  }
}
async function readBatch(request) {
  let body;
  try {
    body = await request.json();
  } catch {
    throw invalidBody("request body is not valid JSON");
  }
  const fields = isObject3(body) ? Object.keys(body) : [];
  const operation = fields.length === 1 ? OPERATIONS.find((name) => name === fields[0]) : void 0;
  const items = operation && isObject3(body) ? body[operation] : void 0;
  if (!operation || !Array.isArray(items)) {
    throw invalidBody('request body must be a JSON object with one list: "get", "set" or "delete"');
  }
  if (items.length > MAX_BATCH_ITEMS) {
    const message2 = `${operation} has ${items.length} items; a batch takes at most ${MAX_BATCH_ITEMS}`;
    throw new HttpError(400, "too_many_items", message2);
  }
  return [operation, items];
}
async function batchGet(namespace, keys) {
  const values = await readValues(namespace, keys);
  return keys.map((key) => batchItem(key, values.get(key) ?? null));
}
async function batchSet(namespace, writes) {
  const byKey = new Map(writes.map((write) => [write.key, write]));
  await Promise.all(
    [...byKey.values()].map(
      ({ key, bytes, ...options }) => writeValue(namespace, key, bytes, options)
    )
  );
}
async function batchDelete(namespace, keys) {
  await Promise.all([...new Set(keys)].map((key) => deleteValue(namespace, key)));
}
function batchItem(key, value) {
  if (!value) {
    return { key, value: null };
  }
  const item = { key, value: encodeBase642(value.bytes) };
  if (value.contentType !== void 0) {
    item.ct = value.contentType;
  }
  if (value.expiration !== void 0) {
    item.exp = value.expiration;
  }
  return item;
}
function keyAt(operation) {
  return (key, index) => validateKey(key, label(operation, index, key));
}
function writeAt(item, index) {
  if (!isObject3(item)) {
    throw invalidBody(`set[${index}] must be an object with "key" and "value"`);
  }
  const where = label("set", index, item.key);
  const key = validateKey(item.key, where);
  const bytes = decodeValue(item.value, where);
  validateValueSize(bytes.byteLength, where);
  return {
    key,
    bytes,
    ttl: validateTtl(item.ttl, where),
    contentType: validateContentType(item.ct, where)
  };
}
function decodeValue(value, where) {
  try {
    if (typeof value === "string") {
      return decodeBase642(value);
    }
  } catch {
  }
  throw new HttpError(400, "invalid_value", `${where}value must be a base64 string`);
}
function label(operation, index, key) {
  const shown = typeof key === "string" && key.length <= 64 ? ` (key ${JSON.stringify(key)})` : "";
  return `${operation}[${index}]${shown}: `;
}
function invalidBody(message2) {
  return new HttpError(400, "invalid_body", message2);
}
function isObject3(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// meta.json
var meta_default = {
  version: "20261201",
  compatibility_date: "2024-09-23"
};

// src/version.ts
var VERSION = meta_default.version;
var FEATURES = ["metadata", "batch", "list", "delete-prefix"];

// src/routes/info.ts
async function getInfo({ env }) {
  const info = { version: VERSION };
  const kv = kvBindingNames(env);
  if (kv.length > 0) {
    info.kv = kv;
  }
  if (FEATURES.length > 0) {
    info.features = [...FEATURES];
  }
  return jsonResponse(info);
}

// src/routes/list.ts
var MAX_LIST_LIMIT = 1e3;
var MAX_DELETE_LIMIT = 500;
async function getKeys({ env, url, params }) {
  const namespace = namespaceFor(env, params.ns ?? "");
  const query = url.searchParams;
  const limit = parseLimit(query.get("limit"), MAX_LIST_LIMIT);
  const prefix = query.get("prefix") ?? "";
  const cursor = query.get("cursor") || null;
  return jsonResponse(await listKeys(namespace, { prefix, cursor, limit }));
}
async function deleteByPrefix({ env, url, params }) {
  const namespace = namespaceFor(env, params.ns ?? "");
  const prefix = url.searchParams.get("prefix") ?? "";
  const limit = parseLimit(url.searchParams.get("limit"), MAX_DELETE_LIMIT);
  if (prefix === "") {
    const message2 = "prefix must not be empty: deleting a whole namespace is not supported";
    throw new HttpError(400, "invalid_prefix", message2);
  }
  return jsonResponse(await deletePage(namespace, prefix, limit));
}
function parseLimit(text, max) {
  if (text === null) {
    return max;
  }
  const limit = /^[0-9]{1,4}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > max) {
    const message2 = `limit must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`;
    throw new HttpError(400, "invalid_limit", message2);
  }
  return limit;
}

// src/routes/values.ts
var EXPIRATION_HEADER = "X-Dapr-Expiration";
var CONTENT_TYPE_HEADER = "X-Dapr-Content-Type";
async function getValue({ env, params }) {
  const namespace = namespaceFor(env, params.ns ?? "");
  const key = validateKey(params.key);
  const value = await readValue(namespace, key);
  if (!value) {
    throw new HttpError(404, "key_not_found", "no value is stored under this key");
  }
  const headers = new Headers({ "Content-Type": value.contentType ?? "application/octet-stream" });
  if (value.expiration !== void 0) {
    headers.set(EXPIRATION_HEADER, String(value.expiration));
  }
  if (value.contentType !== void 0) {
    headers.set(CONTENT_TYPE_HEADER, value.contentType);
  }
  return new Response(value.bytes, { status: 200, headers });
}
async function putValue({ request, env, url, params }) {
  const namespace = namespaceFor(env, params.ns ?? "");
  const key = validateKey(params.key);
  const ttl = parseTtlParam(url.searchParams.get("ttl"));
  const contentType = validateContentType(request.headers.get("Content-Type"));
  const bytes = new Uint8Array(await request.arrayBuffer());
  validateValueSize(bytes.byteLength);
  await writeValue(namespace, key, bytes, { ttl, contentType });
  return new Response(null, { status: 201 });
}
async function removeValue({ env, params }) {
  const namespace = namespaceFor(env, params.ns ?? "");
  const key = validateKey(params.key);
  await deleteValue(namespace, key);
  return new Response(null, { status: 204 });
}

// src/routes/index.ts
var ROUTES = [
  { method: "GET", path: "/.well-known/dapr/info", handler: getInfo },
  { method: "GET", path: "/kv/:ns/:key", handler: getValue },
  { method: "POST", path: "/kv/:ns/:key", handler: putValue },
  { method: "DELETE", path: "/kv/:ns/:key", handler: removeValue },
  { method: "POST", path: "/batch/:ns", handler: postBatch },
  { method: "GET", path: "/list/:ns", handler: getKeys },
  { method: "DELETE", path: "/list/:ns", handler: deleteByPrefix }
];

// src/index.ts
var index_default = {
  async fetch(request, env) {
    try {
      await authenticate(request, env);
      return await dispatch(ROUTES, request, env);
    } catch (error) {
      await discardBody(request);
      return errorResponse(error);
    }
  }
};
async function discardBody(request) {
  if (request.body && !request.bodyUsed) {
    await request.body.pipeTo(new WritableStream()).catch(() => void 0);
  }
}
export {
  index_default as default
};
