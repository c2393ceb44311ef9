# Quickstart: two VPCs for tenant A in their own IPv4 and VLAN namespaces.
#
#   terraform init
#   terraform plan -var netbox_url=https://netbox.example.com -var netbox_token=...
#
# Every backend is optional: one whose variables stay null (the default) is not used. The plan shows
# each object's changes attribute by attribute and what each configured backend receives.

terraform {
  required_providers {
    hedgehog = {
      source = "githedgehog/hedgehog"
    }
  }
}

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

resource "hedgehog_ipv4_namespace" "tenant_a" {
  name    = "tenant-a"
  subnets = ["10.50.0.0/16"]
}

resource "hedgehog_vlan_namespace" "tenant_a" {
  name = "tenant-a"

  ranges = [
    {
      from = 1000
      to   = 1999
    },
  ]
}

resource "hedgehog_vpc" "web" {
  name           = "web"
  ipv4_namespace = hedgehog_ipv4_namespace.tenant_a.name
  vlan_namespace = hedgehog_vlan_namespace.tenant_a.name

  subnets = {
    default = {
      subnet = "10.50.1.0/24"
      vlan   = 1001
      dhcp = {
        enable = true
        range = {
          start = "10.50.1.10"
          end   = "10.50.1.199"
        }
      }
    }
  }
}

resource "hedgehog_vpc" "db" {
  name           = "db"
  ipv4_namespace = hedgehog_ipv4_namespace.tenant_a.name
  vlan_namespace = hedgehog_vlan_namespace.tenant_a.name

  subnets = {
    default = {
      subnet = "10.50.2.0/24"
      vlan   = 1002
    }
  }
}

output "manifests" {
  description = "The YAML manifests of the objects, as written to the Git and Kubernetes backends."
  value = {
    ipv4_namespace = provider::hedgehog::manifest("IPv4Namespace", hedgehog_ipv4_namespace.tenant_a)
    vlan_namespace = provider::hedgehog::manifest("VLANNamespace", hedgehog_vlan_namespace.tenant_a)
    vpc_web        = provider::hedgehog::manifest("VPC", hedgehog_vpc.web)
    vpc_db         = provider::hedgehog::manifest("VPC", hedgehog_vpc.db)
  }
}
