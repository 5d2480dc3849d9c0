{{/* Helpers shared by the chart's templates. */}}

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

{{/*
The worker's: the shared hardening, or with worker.netRaw (the native SYN engine) uid 0 holding NET_RAW and
nothing else. Root because Kubernetes gives an added capability to a root process only: a non-root one would
need file capabilities, which allowPrivilegeEscalation: false (no_new_privs) rightly refuses.
*/}}
{{- define "fleetqry.workerSecurityContext" -}}
{{- if .Values.worker.netRaw -}}
runAsNonRoot: false
runAsUser: 0
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
  add:
    - NET_RAW
seccompProfile:
  type: RuntimeDefault
{{- else -}}
{{ include "fleetqry.containerSecurityContext" . }}
{{- end -}}
{{- end }}
