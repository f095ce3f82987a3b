{{- /*
Copyright 2026 The rustfs-operator Authors.
SPDX-License-Identifier: Apache-2.0

Named templates shared by the chart's manifests.
*/ -}}

{{/* The chart name, or nameOverride. */}}
{{- define "rustfs-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Base name of every object: fullnameOverride, else the release name when it already
contains the chart name, else "<release>-<chart>". Cut to 63 characters (DNS label).
*/}}
{{- define "rustfs-operator.fullname" -}}
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

{{/* Labels that pick the operator pod; they never change across upgrades. */}}
{{- define "rustfs-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rustfs-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "rustfs-operator.labels" -}}
{{ include "rustfs-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The operator image reference. */}}
{{- define "rustfs-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Labels that pick the console pod; a name of its own, so no operator selector matches it. */}}
{{- define "rustfs-operator.consoleSelectorLabels" -}}
app.kubernetes.io/name: {{ include "rustfs-operator.name" . }}-console
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every console object. */}}
{{- define "rustfs-operator.consoleLabels" -}}
{{ include "rustfs-operator.consoleSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}
