{{/*
Helpers. Templates in this chart use only the subset that tools/deploy/helm-lite renders (see README.md):
.Values/.Release/.Chart lookups, if/else, range, include, toYaml | nindent, quote, default, required, b64enc,
not/and/or/eq/gt, fail, join.
*/}}

{{- define "fleetqry.fullname" -}}
{{ default .Release.Name .Values.fullnameOverride }}
{{- end }}

{{- define "fleetqry.labels" -}}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "fleetqry.controller.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{- define "fleetqry.worker.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "fleetqry.migrate.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: migrate
{{- end }}

{{- define "fleetqry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "fleetqry.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end }}

{{- define "fleetqry.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{ .Values.secrets.existingSecret }}
{{- else -}}
{{ include "fleetqry.fullname" . }}
{{- end -}}
{{- end }}

{{- define "fleetqry.imageTag" -}}
{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* Container-level hardening shared by every container; not configurable on purpose. */}}
{{- define "fleetqry.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}
