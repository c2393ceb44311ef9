# Every backend block is optional: configure only the systems the fabric objects should be
# written to. A plan shows each object's changes attribute by attribute and what each backend
# receives; the state keeps rollback checkpoints so a partly failed apply can be undone.
provider "hedgehog" {
  # NetBox: mirrors the objects into NetBox (REST API, NetBox 4.3).
  netbox {
    server_url = "https://netbox.example.com"
    api_token  = var.netbox_token
    site       = "dc1" # NetBox site that holds the fabric's objects
  }

  # Git: commits the YAML manifests to a repository (GitOps, e.g. watched by Flux or Argo CD).
  git {
    url         = "https://git.example.com/network/fabric.git"
    branch      = "main"
    path_prefix = "fabric/" # directory in the repository for the manifests
    # Either username and password, or token = var.git_token.
    username     = "terraform"
    password     = var.git_password
    author_name  = "Terraform"
    author_email = "terraform@example.com"
  }

  # Kubernetes: applies the objects to the fabric's control node.
  kubernetes {
    kubeconfig_path = pathexpand("~/.kube/config")
    context         = "hedgehog"
    namespace       = "default" # the fabric supports only "default"
    mode            = "apply"
    qps             = 20 # client rate limit towards the API server
    burst           = 40
    field_manager   = "terraform-provider-hedgehog"
  }
}

variable "netbox_token" {
  type      = string
  sensitive = true
}

variable "git_password" {
  type      = string
  sensitive = true
}
