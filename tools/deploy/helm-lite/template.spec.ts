import { goFloat, renderString, strictObject, TemplateError, toYaml } from './template.js';

const ctx = {
  Values: {
    a: { b: 'x', n: 3000, big: 1000000, list: ['p', 'q'], empty: [], m: { z: 1, w: 'on' } },
    flag: false,
    s: '',
  },
  Release: { Name: 'rel' },
};

describe('helm-lite: supported subset, Go/Helm semantics', () => {
  test.each([
    ['{{ .Values.a.b }}', 'x'],
    ['{{ .Values.a.n }}|{{ .Values.a.big }}', '3000|1e+06'],
    ['{{ .Values.missing }}', ''],
    ['a {{- " b " -}} c', 'a b c'],
    ['{{/* c */}}x', 'x'],
    ['{{- /* c */ -}}\n x', 'x'],
    ['{{ .Values.a.b | quote }}', '"x"'],
    ['{{ quote .Values.missing }}', ''],
    ['{{ default "d" .Values.s }}|{{ default "d" .Values.a.b }}|{{ default 5 0 }}', 'd|x|5'],
    ['{{ .Values.a.n | quote }}', '"3000"'],
    ['{{ "ab" | b64enc }}', 'YWI='],
    ['{{ if .Values.flag }}t{{ else if .Values.a.empty }}e{{ else }}f{{ end }}', 'f'],
    ['{{ range .Values.a.list }}[{{ . }}{{ $.Release.Name }}]{{ end }}', '[prel][qrel]'],
    ['{{ range .Values.a.empty }}x{{ else }}none{{ end }}', 'none'],
    ['{{ range .Values.a.m }}{{ . }},{{ end }}', 'on,1,'],
    ['{{ join "," .Values.a.list }}', 'p,q'],
    ['{{ and .Values.a .Values.flag }}|{{ or .Values.s "y" }}|{{ not .Values.s }}', 'false|y|true'],
    ['{{ and .Values.flag .Values.missing.deeper }}', 'false'],
    ['{{ eq .Values.a.b "x" }}|{{ gt .Values.a.n 10 }}', 'true|true'],
    ['{{ toYaml .Values.a.m | nindent 2 }}', '\n  w: "on"\n  z: 1'],
    ['{{ "a\\nb" | indent 2 }}', '  a\n  b'],
    ['{{ define "t" }}<{{ .Release.Name }}>{{ end }}{{ include "t" . }}', '<rel>'],
    ['{{ if (eq .Values.a.b "x") }}y{{ end }}', 'y'],
  ])('%s', (src, out) => {
    expect(renderString(src, ctx)).toBe(out);
  });

  test('Go float formatting', () => {
    expect([0, 1, 3000, 123456, 1e6, 1234567, 0.5, 1e-5, -2.25].map(goFloat)).toEqual([
      '0',
      '1',
      '3000',
      '123456',
      '1e+06',
      '1.234567e+06',
      '0.5',
      '1e-05',
      '-2.25',
    ]);
  });

  test('toYaml: sorted keys, unindented sequences, YAML 1.1 quoting, Helm trim', () => {
    expect(toYaml({ b: ['x', 'yes'], a: {} })).toBe('a: {}\nb:\n- x\n- "yes"');
    expect(toYaml(null)).toBe('null');
  });

  test('errors like Helm does', () => {
    expect(() => renderString('{{ .Values.missing.x }}', ctx)).toThrow(/nil pointer/);
    expect(() => renderString('{{ required "need it" .Values.s }}', ctx)).toThrow(/need it/);
    expect(() => renderString('{{ fail "boom" }}', ctx)).toThrow(/boom/);
    expect(() => renderString('{{ eq .Values.a.n "3000" }}', ctx)).toThrow(/incompatible types/);
    expect(() => renderString('{{ include "nope" . }}', ctx)).toThrow(/no template "nope"/);
  });
});

describe('helm-lite: anything outside the subset fails loudly', () => {
  test.each([
    ['{{ with .Values.a }}{{ .b }}{{ end }}', /"with" is not supported/],
    ['{{ template "t" . }}', /"template" is not supported/],
    ['{{ block "t" . }}{{ end }}', /"block" is not supported/],
    ['{{ $x := .Values.a }}', /variable|not supported/],
    ['{{ range $i, $v := .Values.a.list }}{{ end }}', /range variables/],
    ['{{ printf "%s" .Values.a.b }}', /function "printf" is not supported/],
    ['{{ tpl .Values.a.b . }}', /function "tpl" is not supported/],
    ['{{ lookup "v1" "Secret" "ns" "n" }}', /function "lookup" is not supported/],
    ['{{ .Values.a.b | upper }}', /function "upper" is not supported/],
    ['{{ .Values.a.b | sha256sum }}', /function "sha256sum" is not supported/],
    ['{{ .Values.a.m }}', /printing a map/],
    ['{{ .Values.a.list }}', /printing a \[\]/],
    ['{{ `raw` }}', /unsupported syntax/],
    ['{{ index .Values.a "b" }}', /function "index" is not supported/],
    ['{{ .Values.a.b "arg" }}', /method call/],
    ['{{-3}}', /must be followed by a space/],
    ['{{ if .Values.flag }}x', /if without end/],
    ['{{ end }}', /unexpected/],
    ['{{ "a" | .Values.a.b }}', /non-function after \|/],
    ['{{ .Values.a.b', /unclosed action/],
  ])('%s', (src, err) => {
    expect(() => renderString(src, ctx)).toThrow(TemplateError);
    expect(() => renderString(src, ctx)).toThrow(err);
  });

  test('.Files, .Capabilities and .Template are not in the (strict) top-level context', () => {
    const strict = strictObject({ Values: {}, Release: strictObject({ Name: 'r' }) });
    for (const src of [
      '{{ .Capabilities.KubeVersion }}',
      '{{ .Files.Get "x" }}',
      '{{ .Template.Name }}',
      '{{ .Release.Foo }}',
    ]) {
      expect(() => renderString(src, strict)).toThrow(TemplateError);
    }
  });
});
