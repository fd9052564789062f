#!/usr/bin/env bash
# Uploads web/dist to the deployed stack's private bucket and refreshes CloudFront.
#   web-deploy.sh STACK AWS_CLI REGION
# Every call names the stack's region: the CLI's own default may be another one.
set -euo pipefail
STACK="$1"
AWS_CLI="$2"
REGION="$3"
AWS() { "$AWS_CLI" --region "$REGION" "$@"; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output() {
  AWS cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
BUCKET="$(output WebBucketName)"
DISTRIBUTION="$(output WebDistributionId)"
[ -n "$BUCKET" ] && [ "$BUCKET" != "None" ] || { echo "stack $STACK has no WebBucketName output: deploy it first (make deploy)" >&2; exit 1; }
echo "==> uploading web/dist to s3://$BUCKET"
# Hashed assets are immutable; index.html must be fetched fresh after each deploy.
AWS s3 sync "$ROOT/web/dist" "s3://$BUCKET" --delete --exclude index.html \
  --cache-control "public, max-age=31536000, immutable"
AWS s3 cp "$ROOT/web/dist/index.html" "s3://$BUCKET/index.html" --cache-control "no-cache"
echo "==> invalidating CloudFront $DISTRIBUTION"
AWS cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths "/index.html" "/" >/dev/null
echo "==> site: $(output SiteUrl)"
