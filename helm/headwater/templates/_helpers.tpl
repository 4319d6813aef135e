{{/* Chart name. */}}
{{- define "headwater.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object-name prefix: <release>-headwater, or the release name when it already says headwater. */}}
{{- define "headwater.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Selector labels of one component. */}}
{{- define "headwater.selectorLabels" -}}
app.kubernetes.io/name: {{ include "headwater.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "headwater.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "headwater.selectorLabels" . }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "headwater.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "headwater.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "headwater.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end }}
{{- end }}

{{/* The GPU worker's KEDA query: queued + running task instances of its queue, in workers
     (ceil(count / concurrency)); the same shape as the official chart's worker query. */}}
{{- define "headwater.gpuWorkerQuery" -}}
SELECT ceil(COUNT(*)::decimal / {{ .Values.gpuWorker.concurrency }}) FROM task_instance WHERE (state='running' OR state='queued') AND queue = '{{ .Values.gpuWorker.queue }}'
{{- end }}

{{- define "headwater.gpuNodeSelector" -}}
{{- toYaml (merge (dict) .extra .root.Values.gpu.nodeSelector) }}
{{- end }}

{{- define "headwater.streamImage" -}}
{{- $i := .Values.stream.image }}
{{- if $i.digest }}
{{- printf "%s@%s" $i.repository $i.digest }}
{{- else }}
{{- printf "%s:%s" $i.repository $i.tag }}
{{- end }}
{{- end }}

{{/* The Secret holding HEADWATER_PII_DIGEST_KEY: piiDigestKey.existingSecret, else the generated <fullname>-pii-digest. */}}
{{- define "headwater.piiDigestSecretName" -}}
{{- default (printf "%s-pii-digest" (include "headwater.fullname" .)) .Values.piiDigestKey.existingSecret }}
{{- end }}

{{/* The env entry of every pod that cleans (or may run a cleaning task): one digest key for the whole cluster. */}}
{{- define "headwater.piiDigestEnv" -}}
- name: HEADWATER_PII_DIGEST_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "headwater.piiDigestSecretName" . }}
      key: {{ .Values.piiDigestKey.key }}
{{- end }}
