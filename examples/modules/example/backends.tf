# The backends, as in examples/quickstart: one whose variables stay null is configured from the environment
# (KUBE_CONFIG_PATH, HEDGEHOG_GIT_URL, NETBOX_SERVER_URL, ...) or not used.

variable "netbox_url" {
  description = "NetBox URL, e.g. https://netbox.example.com; null disables the NetBox backend."
  type        = string
  default     = null
}

variable "netbox_token" {
  description = "NetBox API token."
  type        = string
  default     = null
  sensitive   = true
}

variable "git_url" {
  description = "Git repository for the YAML manifests; null disables the Git backend."
  type        = string
  default     = null
}

variable "git_username" {
  type    = string
  default = null
}

variable "git_password" {
  type      = string
  default   = null
  sensitive = true
}

variable "kubeconfig_path" {
  description = "kubeconfig of the fabric's control node; null disables the Kubernetes backend."
  type        = string
  default     = null
}

provider "hedgehog" {
  netbox {
    server_url = var.netbox_url
    api_token  = var.netbox_token
  }

  git {
    url      = var.git_url
    username = var.git_username
    password = var.git_password
  }

  kubernetes {
    kubeconfig_path = var.kubeconfig_path
  }
}
