//! 图片上传 and 商品券头图生成任务.
//!
//! * 图片上传 (`multipart/form-data`, signed over the `meta` JSON): the server checks the file
//!   like the client does (not empty, at most 2 MB, `image/jpeg` or `image/png`, content that
//!   is that type), answering 400 `INVALID_REQUEST` (business code 270087680 图片超过指定大小
//!   for a large file); here the `meta` must match the file: `sha256` is the file's SHA-256,
//!   `filename` ends in `.jpg` / `.jpeg` / `.png` of the file's type. The answer is a media URL
//!   derived from the content (the same image gives the same URL); the sandbox records the
//!   upload (name, type, size, digest), not the bytes.
//! * 提交图片生成任务: idempotent by `task_id`; the task starts `PROCESSING` and finishes on the
//!   first query (查询图片生成任务执行结果) or one second after it was submitted, whichever comes
//!   first: `SUCCESS` with a generated image URL (`combine_image_result` / `cut_out_result`), or
//!   `FAIL` for a 抠图 task whose `image_url` is not an http(s) URL. Finishing sends the
//!   `PRODUCT_COUPON_SP.IMAGE_GENERATION` notification (the task as the resource) to the notify
//!   URL. A 拼图 task must carry the rule of its `type` (`normal_coupon` for `NORMAL`, ...).
//! * A task is addressed by `task_id`, `brand_id` and `image_generation_type` together: if one
//!   does not match, 404 `NOT_FOUND`.

use std::time::Duration;

use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::runtime::upload::UploadFile;

use crate::state::*;

/// When an unqueried task finishes by itself.
pub(crate) const IMAGE_TASK_DURATION: Duration = Duration::from_secs(1);

fn sha256_hex(data: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl Ctx<'_> {
    pub(crate) fn upload_image(
        &mut self,
        meta: ImageUploadMeta,
        file: UploadFile,
    ) -> Result<ImageUploadResponse, ApiFailure> {
        let name = meta.filename.to_ascii_lowercase();
        let expected_type = if name.ends_with(".png") {
            "image/png"
        } else if name.ends_with(".jpg") || name.ends_with(".jpeg") {
            "image/jpeg"
        } else {
            return Err(ApiFailure::invalid("filename", "图片文件名须带扩展名 .jpg、.jpeg 或 .png"));
        };
        if expected_type != file.media_type {
            return Err(ApiFailure::invalid(
                "filename",
                format!("扩展名表示 {expected_type}，而上传的文件是 {}", file.media_type),
            ));
        }
        let digest = file.sha256_hex();
        if !meta.sha256.eq_ignore_ascii_case(&digest) {
            return Err(ApiFailure::invalid("sha256", format!("与文件内容的 SHA-256（{digest}）不一致")));
        }
        let media_url = format!("https://wxpaylogo.qpic.cn/wxpaylogo/sandbox/{digest}/0");
        self.state.images.insert(
            media_url.clone(),
            ImageRecord {
                mchid: self.mchid.to_owned(),
                filename: meta.filename,
                media_type: file.media_type,
                size: file.content.len() as u64,
                sha256: digest,
                uploaded_at: self.now_text(),
            },
        );
        self.touch();
        ImageUploadResponse::builder().media_url(media_url).build().map_err(internal)
    }

    pub(crate) fn create_image_generation_task(
        &mut self,
        body: CreateImageGenerationTaskRequest,
    ) -> Result<CreateImageGenerationTaskResponse, ApiFailure> {
        let key = format!("{}|{}|{}", self.mchid, body.brand_id, body.task_id);
        if self.state.image_tasks.contains_key(&key) {
            return Err(ApiFailure::rule(
                business_code::SAME_NUMBER_DIFFERENT_DATA,
                format!("task_id {:?} 已被使用", body.task_id),
            ));
        }
        if let (ImageGenerationType::CombineImage, Some(c)) = (&body.image_generation_type, &body.combine_image) {
            let (ok, name) = match c.type_ {
                ProductCouponType::Normal => (c.normal_coupon.is_some(), "normal_coupon"),
                ProductCouponType::Discount => (c.discount_coupon.is_some(), "discount_coupon"),
                ProductCouponType::Exchange => (c.exchange_coupon.is_some(), "exchange_coupon"),
                _ => (true, ""),
            };
            if !ok {
                return Err(ApiFailure::invalid(
                    &format!("combine_image.{name}"),
                    format!("type 为 {} 的拼图须填写 {name}", c.type_.as_str()),
                ));
            }
        }
        let task = ImageGenerationTask::builder()
            .brand_id(body.brand_id.clone())
            .task_id(body.task_id.clone())
            .image_generation_type(body.image_generation_type.clone())
            .task_state(ImageGenerationTaskState::Processing)
            .build()
            .map_err(internal)?;
        let response = CreateImageGenerationTaskResponse::builder()
            .task_id(body.task_id.clone())
            .brand_id(body.brand_id.clone())
            .build()
            .map_err(internal)?;
        self.state
            .image_tasks
            .insert(key.clone(), ImageTaskRecord { mchid: self.mchid.to_owned(), request: body, task });
        self.timers.push(CompleteImageTask { key });
        self.touch();
        Ok(response)
    }

    pub(crate) fn get_image_generation_task(
        &mut self,
        task_id: String,
        brand_id: String,
        kind: ImageGenerationType,
    ) -> Result<ImageGenerationTask, ApiFailure> {
        let task_id = task_id.as_str();
        let brand_id = brand_id.as_str();
        let key = format!("{}|{brand_id}|{task_id}", self.mchid);
        match self.state.image_tasks.get(&key) {
            Some(r) if r.task.image_generation_type == kind => {}
            _ => {
                return Err(ApiFailure::not_found(
                    format!(
                        "未找到 task_id 对应的图片生成任务: {task_id}（task_id、brand_id 与 image_generation_type 须与提交时一致）"
                    ),
                    "task_id",
                    task_id,
                    "path",
                ));
            }
        }
        self.complete_image_task(&key);
        Ok(self.state.image_tasks[&key].task.clone())
    }

    /// Finishes a `PROCESSING` task and queues its notification; `false` if there was nothing to
    /// do (unknown, or already finished).
    pub(crate) fn complete_image_task(&mut self, key: &str) -> bool {
        let Some(record) = self.state.image_tasks.get_mut(key) else { return false };
        if record.task.task_state != ImageGenerationTaskState::Processing {
            return false;
        }
        let image_url =
            format!("https://wxpaylogo.qpic.cn/wxpaylogo/sandbox/generated/{}/0", sha256_hex(key.as_bytes()));
        let result = ImageGenerationResult::builder().image_url(image_url).build().ok();
        match &record.request.image_generation_type {
            ImageGenerationType::CutOut => {
                let source = record.request.cut_out.as_ref().map(|c| c.image_url.as_str()).unwrap_or_default();
                if source.starts_with("https://") || source.starts_with("http://") {
                    record.task.task_state = ImageGenerationTaskState::Success;
                    record.task.cut_out_result = result;
                } else {
                    record.task.task_state = ImageGenerationTaskState::Fail;
                }
            }
            _ => {
                record.task.task_state = ImageGenerationTaskState::Success;
                record.task.combine_image_result = result;
            }
        }
        let resource = serde_json::to_value(&record.task).unwrap_or_default();
        // No source gives this event's summary or original_type; they are left out.
        self.notify("PRODUCT_COUPON_SP.IMAGE_GENERATION", None, None, resource);
        self.touch();
        true
    }
}
